//! The SlimRMM agent's wire protocol, as the server understands it (`agent-protocol.md` §2–§3).
//!
//! Everything an agent sends is untrusted: [`AgentMessage::parse`] checks shapes, bounds sizes
//! and numbers, and keeps reported JSON only as opaque data.

mod heartbeat;
mod inbound;
mod outbound;

pub use heartbeat::{Block, DiskUsage, Heartbeat, HeartbeatKind, MAX_BLOCK_BYTES, MetricSample};
pub use inbound::{
    AgentMessage, InventoryChange, NotAMessage, PackageChange, Reply, ThresholdAlert,
};
pub(crate) use outbound::command_frame;
