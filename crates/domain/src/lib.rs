//! SlimRMM's domain: the entities, the rules, the ports and the use cases.
//!
//! This crate knows nothing about HTTP, SQL, JWT libraries or mail servers. Everything the use
//! cases need from the outside world is a *port*: a trait defined here (`UserRepository`,
//! `SessionRepository`, `PasswordHasher`, `TokenIssuer`, `Notifier`, `Clock`, ...). Adapter
//! crates implement the ports; the server binary wires concrete adapters into the services.
//!
//! The services ([`user::UserService`], [`auth::AuthService`]) implement the use cases. Each
//! operation has its own error enum naming what can go wrong in the terms of the domain.
//!
//! With the `mocks` feature every port has a `mockall` mock (`MockUserRepository`, ...), so other
//! crates can test against the domain without a database.

pub mod agent;
pub mod alert;
pub mod auth;
pub mod clock;
pub mod enrollment;
pub mod error;
pub mod event;
pub mod execution;
pub mod gateway;
pub mod health;
pub mod inventory;
pub mod list;
pub mod notification;
pub mod policy;
pub mod presence;
pub mod protocol;
pub mod script;
pub mod sealer;
pub mod telemetry;
pub mod text;
pub mod user;

pub use error::{InvalidField, PortError};

#[cfg(test)]
mod test_support;
