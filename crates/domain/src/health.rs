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

/// What an agent sent that was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DroppedKind {
    /// A heartbeat (its state, metrics and presence).
    Heartbeat,
    /// An answer to a command.
    Reply,
    /// A threshold alert.
    Alert,
    /// An inventory change.
    Inventory,
    /// A maintenance-mode change.
    Maintenance,
}

/// Why it was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// The database refused the row itself (a bad row never blocks the rows written with it).
    Unstorable,
    /// The database was unavailable and the buffer that keeps such messages was full.
    BufferFull,
}

impl DroppedKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::Heartbeat,
        Self::Reply,
        Self::Alert,
        Self::Inventory,
        Self::Maintenance,
    ];

    /// Its metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Heartbeat => "heartbeat",
            Self::Reply => "reply",
            Self::Alert => "alert",
            Self::Inventory => "inventory",
            Self::Maintenance => "maintenance",
        }
    }
}

impl DropReason {
    /// Every reason.
    pub const ALL: [Self; 2] = [Self::Unstorable, Self::BufferFull];

    /// Its metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unstorable => "unstorable",
            Self::BufferFull => "buffer_full",
        }
    }
}

/// How many agent records this process dropped since it started, by kind and reason: shared
/// by whatever drops them and read by the operators' metrics.
#[derive(Debug, Clone, Default)]
pub struct DroppedRecords {
    counts: std::sync::Arc<[[std::sync::atomic::AtomicU64; 2]; 5]>,
}

impl DroppedRecords {
    fn slot(&self, kind: DroppedKind, reason: DropReason) -> &std::sync::atomic::AtomicU64 {
        let row = DroppedKind::ALL
            .iter()
            .position(|k| *k == kind)
            .unwrap_or_default();
        let column = DropReason::ALL
            .iter()
            .position(|r| *r == reason)
            .unwrap_or_default();
        &self.counts[row][column]
    }

    /// Counts one dropped record.
    pub fn record(&self, kind: DroppedKind, reason: DropReason) {
        self.slot(kind, reason)
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many of `kind` were dropped for `reason`.
    pub fn count(&self, kind: DroppedKind, reason: DropReason) -> u64 {
        self.slot(kind, reason)
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}
