//! The server side of the agent connection: admission, presence, heartbeats, command delivery
//! and answers, unsolicited messages, and the periodic sweep.

mod deferred;
mod messages;
mod processes;
mod service;
mod sweep;

pub use processes::ProcessRegistry;
pub use service::{AdmitError, GatewayPorts, GatewayService, GatewaySettings};

#[cfg(any(test, feature = "mocks"))]
pub use processes::MockProcessRegistry;

#[cfg(test)]
mod tests;
