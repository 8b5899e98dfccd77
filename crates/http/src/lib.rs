//! SlimRMM's REST API: a thin actix-web layer over the domain's use cases.
//!
//! Handlers parse requests into domain types ([`extract`]), call one use case on the services in
//! [`AppState`], and map the outcome to a response ([`dto`]) or to the error envelope
//! ([`error`]). [`build_app`] assembles routes, middleware and the OpenAPI document.

mod app;
pub mod connection;
pub mod dto;
pub mod error;
pub mod extract;
pub mod gateway;
pub mod idempotent;
pub mod metrics;
pub mod middleware;
mod openapi;
pub mod routes;
mod state;

pub use app::{build_app, metrics_app};
pub use state::{AppState, HttpSettings};
