//! The operators' ports: can this process serve requests right now (readiness), and what is
//! waiting (metrics)?

use async_trait::async_trait;

use crate::PortError;
use crate::execution::ExecutionStatus;

/// Checks that the services the server depends on answer.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ReadinessProbe: Send + Sync {
    /// `Ok` when every dependency answered in time.
    async fn check(&self) -> Result<(), PortError>;
}

/// What waits and what failed lately, for operators' metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    /// Executions queued or sent right now, per status.
    pub executions_active: Vec<(ExecutionStatus, u64)>,
    /// Executions created in the last hour, per status.
    pub executions_last_hour: Vec<(ExecutionStatus, u64)>,
    /// Notifications not yet routed to their channels.
    pub notifications_unrouted: u64,
    /// Deliveries waiting to be sent (or retried).
    pub deliveries_pending: u64,
    /// Deliveries given up on (kept 30 days).
    pub deliveries_dead: u64,
}

/// The database connections of this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections open.
    pub open: u64,
    /// Open and idle.
    pub idle: u64,
    /// The most that may be open.
    pub max: u64,
}

/// Counts for operators (the `/metrics` endpoint).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OperationsProbe: Send + Sync {
    /// The current backlog (a few cheap, indexed counts).
    async fn backlog(&self) -> Result<Backlog, PortError>;

    /// The connection pool's use right now.
    fn pool(&self) -> PoolUsage;
}
