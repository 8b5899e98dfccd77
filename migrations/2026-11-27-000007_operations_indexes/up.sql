-- What `/metrics` counts on every scrape, each on an index: dead deliveries.
CREATE INDEX notification_deliveries_dead_idx ON notification_deliveries (id) WHERE status = 'dead';
