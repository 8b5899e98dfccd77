DROP TABLE user_clients;
ALTER TABLE users DROP COLUMN all_clients;
ALTER TABLE enrollment_tokens DROP COLUMN site_id;
ALTER TABLE agents DROP CONSTRAINT agents_live_have_site, DROP CONSTRAINT agents_site_fkey,
    DROP COLUMN client_id, DROP COLUMN site_id;
DROP TABLE sites;
DROP TABLE clients;
