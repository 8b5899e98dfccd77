#![warn(missing_docs)]
//! SlimRMM's domain: the entities, the rules, the ports and the use cases of a remote
//! monitoring and management server, free of any web framework, database, crypto library or
//! mail server. Embed it to get SlimRMM's rules for users, agents, commands, scripts and patch
//! policies on top of your own storage.
//!
//! # How it fits together
//!
//! - **Values** parse, they do not validate: [`user::Username`], [`agent::Hostname`],
//!   [`script::ScriptContent`] (refuses what the agent's own safety filter refuses),
//!   [`policy::Schedule`], ... can only hold acceptable values, so a function that receives one
//!   needs no check. Agent messages are untrusted JSON, parsed by [`protocol::AgentMessage`].
//! - **Ports** are the traits through which the use cases reach the outside world, each
//!   `Send + Sync` and `#[async_trait]` where it does I/O: storage ([`user::UserRepository`],
//!   [`agent::AgentRepository`], [`execution::ExecutionRepository`],
//!   [`script::ScriptRepository`], [`policy::PolicyRepository`],
//!   [`notification::OutboxRepository`], [`audit::AuditLog`], ...), and services ([`clock::Clock`],
//!   [`user::PasswordHasher`], [`auth::TokenIssuer`], [`enrollment::CertificateAuthority`],
//!   [`enrollment::CertificateVerifier`], [`notification::Transport`],
//!   [`event::EventPublisher`], [`execution::ExecutionWaker`], [`sealer::SecretSealer`]). Their
//!   documentation says what an implementation must guarantee (which writes belong in one
//!   transaction, which compare-and-swaps make concurrent callers safe).
//! - **Services** implement the use cases on `Arc<dyn Port>`s: [`user::UserService`],
//!   [`auth::AuthService`], [`agent::AgentService`], [`enrollment::EnrollmentService`],
//!   [`enrollment::AgentIdentityService`], [`execution::ExecutionService`],
//!   [`gateway::GatewayService`] (an agent's connection: admission, messages, the sweep),
//!   [`script::ScriptService`], [`policy::PolicyService`], [`notification::DeliveryService`],
//!   [`notification::IntegrationService`] and [`audit::AuditService`]. Every operation that acts for a user takes the
//!   [`auth::Actor`] and checks its [`user::Role`] itself ([`user::Role::allows`] is the one
//!   table of who may do what).
//! - **Errors** are one enum per use case (`CreateUserError`, `RegisterError`,
//!   `CreateExecutionError`, ...), each variant documented with when it happens. Infrastructure
//!   failures from a port are [`PortError`], carried inside them.
//!
//! ```text
//!   your HTTP / CLI / queue ──▶ services (use cases) ──▶ ports (traits) ◀── your adapters
//!                                   │
//!                                   └── values, entities, rules (this crate)
//! ```
//!
//! # Example
//!
//! A port implemented by the embedding program, and a value refused the way the agent would
//! refuse it:
//!
//! ```
//! use std::sync::Arc;
//!
//! use chrono::{DateTime, TimeZone, Utc};
//! use slimrmm_domain::clock::Clock;
//! use slimrmm_domain::script::{ContentError, ScriptContent};
//!
//! /// A clock for replaying history: always the same instant.
//! struct Frozen(DateTime<Utc>);
//!
//! impl Clock for Frozen {
//!     fn now(&self) -> DateTime<Utc> {
//!         self.0
//!     }
//! }
//!
//! // Services take their ports as `Arc<dyn Port>`.
//! let clock: Arc<dyn Clock> = Arc::new(Frozen(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()));
//! assert_eq!(clock.now().to_rfc3339(), "2026-01-01T00:00:00+00:00");
//!
//! // The agent refuses command substitution; so does the domain, naming the pattern and line.
//! assert!(ScriptContent::parse("uptime\n").is_ok());
//! match ScriptContent::parse("echo ok\nrm -rf $(pwd)\n") {
//!     Err(ContentError::Dangerous { line, .. }) => assert_eq!(line, 2),
//!     other => panic!("expected a refusal, got {other:?}"),
//! }
//! ```
//!
//! `examples/embed.rs` goes further: in-memory adapters for users, agents, executions,
//! scripts, policies and a printing notifier, and a run from creating a user to an agent's
//! script result (`cargo run -p slimrmm-domain --example embed`; no database needed).
//!
//! # Testing against the domain
//!
//! With the `mocks` feature every port has a `mockall` mock (`MockUserRepository`,
//! `MockAgentRepository`, ...) and the `fixtures` module has canned values and mocks for the
//! common cases, so other crates test their code against the domain without a database. The crate's
//! `README.md` shows such a test.

pub mod agent;
pub mod alert;
pub mod apikey;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod enrollment;
pub mod error;
pub mod event;
pub mod execution;
#[cfg(any(test, feature = "mocks"))]
pub mod fixtures;
pub mod gateway;
pub mod health;
pub mod idempotency;
pub mod inventory;
pub mod list;
pub mod notification;
pub mod policy;
pub mod presence;
pub mod protocol;
pub mod retention;
pub mod script;
pub mod sealer;
pub mod telemetry;
pub mod tenancy;
pub mod text;
pub mod user;

pub use error::{InvalidField, PortError};

/// The README's examples, compiled and run as doctests (with the `mocks` feature).
#[cfg(all(doctest, feature = "mocks"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(test)]
mod test_support;
