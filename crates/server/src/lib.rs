//! The SlimRMM server: reads its configuration, builds the concrete adapters, wires them into
//! the domain's services and serves the HTTP API. This crate is the only place that knows
//! every adapter; `main` only parses the command line and dispatches.

pub mod background;
pub mod commands;
pub mod config;
pub mod listen;
pub mod telemetry;
pub mod tls;
pub mod wiring;
