//! The WebSockets: the agent connection (`/api/v1/ws/agent`) and live events for dashboards
//! (`/api/v1/ws/events`), with the per-process registry of connected agents.

mod admission;
pub mod agent_socket;
pub mod events_socket;
mod hub;
mod registry;

pub use admission::{Admissions, Turn};
pub use hub::{EventFrame, EventHub};
pub use registry::{Connections, Outbound};
