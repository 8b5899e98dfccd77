//! The PostgreSQL adapters against a real database, each test in a database of its own.

mod agents;
mod database;
mod enrollment_tokens;
mod heartbeats;
mod outbox;
mod password_resets;
mod presence;
mod server_secrets;
mod sessions;
mod support;
mod users;
