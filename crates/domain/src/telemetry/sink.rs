use chrono::{DateTime, Utc};

use crate::agent::AgentId;
use crate::protocol::Heartbeat;

/// A heartbeat and where and when it arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedHeartbeat {
    /// The agent.
    pub agent: AgentId,
    /// When the server received it.
    pub at: DateTime<Utc>,
    /// What it said.
    pub heartbeat: Heartbeat,
}

/// Takes heartbeats for storage. Implementations coalesce them and write in batches (one round
/// trip per batch); `submit` never waits for storage.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait HeartbeatSink: Send + Sync {
    /// Queues a heartbeat for the next batch.
    fn submit(&self, heartbeat: ReceivedHeartbeat);
}
