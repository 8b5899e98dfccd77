//! The HTTP API end to end: in-process through actix's test service, against a real PostgreSQL
//! database of its own per test.

#[macro_use]
mod live;

mod agents;
mod api_keys;
mod audit;
mod auth;
mod authorization;
mod binary;
mod connections;
mod conventions;
mod enrollment;
mod events;
mod flood;
mod gateway;
mod helpers;
mod hostile_input;
mod idempotency;
mod metrics;
mod notifications;

mod openapi_snapshot;
mod outage;
mod password_reset;
mod poison;
mod policies;
mod processes;
mod rate_limits;
mod scope_walk;
mod scripts;
mod sinks;
mod tenancy;
mod tls;
mod two_factor;
mod users;
