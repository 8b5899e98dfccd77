//! The SlimRMM agent's wire protocol, as the server understands it (`agent-protocol.md` §2–§3).
//!
//! Everything an agent sends is untrusted: [`AgentMessage::parse`] makes its text storable
//! ([`storable`]: U+0000 becomes `␀`), checks shapes, bounds sizes and numbers, and keeps
//! reported JSON only as opaque data.

mod heartbeat;
mod inbound;
mod outbound;
mod storable;

pub use heartbeat::{Block, DiskUsage, Heartbeat, HeartbeatKind, MAX_BLOCK_BYTES, MetricSample};
pub use inbound::{
    AgentMessage, InventoryChange, NotAMessage, PackageChange, Reply, ThresholdAlert,
};
pub(crate) use outbound::command_frame;
pub use storable::{NUL_REPLACEMENT, storable, storable_text};
