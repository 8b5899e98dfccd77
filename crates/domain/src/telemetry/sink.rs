use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::PortError;
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

/// What one [`HeartbeatSink::flush`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeartbeatFlush {
    /// How many agents' heartbeats were written.
    pub written: usize,
    /// The agents written whose status was `offline`: heard from again (their connection
    /// outlived the silence that took them offline). Whether that makes them online is the
    /// gateway's decision, not storage's.
    pub heard_while_offline: Vec<AgentId>,
}

/// Takes heartbeats for storage. Implementations coalesce them and write in batches (one round
/// trip per batch); `submit` never waits for storage.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait HeartbeatSink: Send + Sync {
    /// Queues a heartbeat for the next batch.
    fn submit(&self, heartbeat: ReceivedHeartbeat);

    /// Writes what was submitted: each agent's latest state, metrics and `last_seen_at`, never
    /// its status. One agent's unstorable row must not keep the others' out; while storage is
    /// unavailable, what was not written is kept for the next flush (newer heartbeats win).
    async fn flush(&self) -> Result<HeartbeatFlush, PortError>;
}
