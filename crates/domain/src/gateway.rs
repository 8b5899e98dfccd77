//! The server side of the agent connection: admission, presence, heartbeats, command delivery
//! and answers, unsolicited messages, and the periodic sweep.

mod deferred;
mod messages;
mod service;
mod sweep;

pub use service::{AdmitError, GatewayPorts, GatewayService, GatewaySettings};

#[cfg(test)]
mod tests;
