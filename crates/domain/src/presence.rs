//! Whether agents are online, as their connections and heartbeats show.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::PortError;
use crate::agent::{AgentId, Hostname};

/// An agent whose status changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSummary {
    /// The agent.
    pub id: AgentId,
    /// Its host name, for notifications.
    pub hostname: Hostname,
}

/// Where presence is kept. Every transition is a compare-and-swap recorded exactly once, so
/// several server processes sweeping at once agree; going offline and becoming overdue write
/// their [`Notification`](crate::notification::Notification) (`AgentOffline`, `AgentOverdue`)
/// to the outbox in the same transaction.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PresenceRepository: Send + Sync {
    /// Marks an approved agent online (from offline, clearing its overdue mark) and its
    /// `last_seen_at`; records the transition. True when it was offline.
    async fn online(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError>;

    /// Marks an online agent offline and records the transition. True when it was online.
    async fn offline(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError>;

    /// Online agents not heard from since `silent_since` go offline; returns them.
    async fn silent_to_offline(
        &self,
        silent_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError>;

    /// Offline agents not heard from since `offline_since` are marked overdue, once; returns
    /// those newly marked.
    async fn mark_overdue(
        &self,
        offline_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError>;

    /// Records the agent's maintenance flag.
    async fn set_maintenance(&self, agent: AgentId, enabled: bool) -> Result<(), PortError>;
}
