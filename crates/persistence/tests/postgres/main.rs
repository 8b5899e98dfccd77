//! The PostgreSQL adapters against a real database, each test in a database of its own.

mod database;
mod password_resets;
mod server_secrets;
mod sessions;
mod support;
mod users;
