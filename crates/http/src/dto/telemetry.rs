use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use slimrmm_domain::alert::Alert;
use slimrmm_domain::inventory::Inventory;
use slimrmm_domain::telemetry::{AgentState, MetricPoint};
use utoipa::ToSchema;
use uuid::Uuid;

/// The latest an agent reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentStateResponse {
    /// When its last heartbeat arrived.
    pub last_heartbeat_at: DateTime<Utc>,
    /// `minimal`, `stats` or `full`.
    pub heartbeat_kind: String,
    /// The latest `stats` object, as reported.
    #[schema(value_type = Option<Object>)]
    pub stats: Option<Value>,
    /// The latest of each delta-sent block (`docker`, `security_info`, ...), as reported.
    #[schema(value_type = Object)]
    pub blocks: Value,
}

impl From<AgentState> for AgentStateResponse {
    fn from(state: AgentState) -> Self {
        Self {
            last_heartbeat_at: state.last_heartbeat_at,
            heartbeat_kind: state.heartbeat_kind,
            stats: state.stats,
            blocks: state.blocks,
        }
    }
}

/// One disk in one bucket.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiskPointResponse {
    /// Mount point.
    pub mountpoint: String,
    /// Average percent used.
    pub used_avg: f64,
    /// Highest percent used.
    pub used_max: f64,
}

/// One bucket of metric history.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricPointResponse {
    /// The bucket's start.
    pub at: DateTime<Utc>,
    /// Average CPU percent.
    pub cpu_avg: Option<f64>,
    /// Highest CPU percent.
    pub cpu_max: Option<f64>,
    /// Average memory percent.
    pub memory_avg: Option<f64>,
    /// Highest memory percent.
    pub memory_max: Option<f64>,
    /// Disks.
    pub disks: Vec<DiskPointResponse>,
}

impl From<MetricPoint> for MetricPointResponse {
    fn from(point: MetricPoint) -> Self {
        Self {
            at: point.at,
            cpu_avg: point.cpu_avg,
            cpu_max: point.cpu_max,
            memory_avg: point.memory_avg,
            memory_max: point.memory_max,
            disks: point
                .disks
                .into_iter()
                .map(|disk| DiskPointResponse {
                    mountpoint: disk.mountpoint,
                    used_avg: disk.used_avg,
                    used_max: disk.used_max,
                })
                .collect(),
        }
    }
}

/// Installed software or available updates, as last reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryResponse {
    /// The entries, as the agent reported them.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// How many.
    pub count: usize,
    /// The package manager (`apt`, `registry`, ...).
    pub source: Option<String>,
    /// When it was reported.
    pub updated_at: DateTime<Utc>,
}

impl From<Inventory> for InventoryResponse {
    fn from(inventory: Inventory) -> Self {
        Self {
            count: inventory.entries.len(),
            items: inventory.entries,
            source: inventory.source,
            updated_at: inventory.updated_at,
        }
    }
}

/// An alert an agent raised.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertResponse {
    /// Identifier.
    pub id: i64,
    /// The agent.
    pub agent_uuid: Uuid,
    /// `cpu`, `memory` or `disk`.
    pub metric: String,
    /// `warning` or `critical`.
    pub severity: String,
    /// The value measured.
    pub current_value: Option<f64>,
    /// The threshold crossed.
    pub threshold: Option<f64>,
    /// For how long, in seconds.
    pub duration_seconds: Option<i64>,
    /// The agent's message.
    pub message: String,
    /// When it arrived.
    pub raised_at: DateTime<Utc>,
    /// When it was acknowledged.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// By whom.
    pub acknowledged_by: Option<i64>,
}

impl From<Alert> for AlertResponse {
    fn from(alert: Alert) -> Self {
        Self {
            id: alert.id.0,
            agent_uuid: alert.agent.0,
            metric: alert.details.metric,
            severity: alert.details.severity,
            current_value: alert.details.current_value,
            threshold: alert.details.threshold,
            duration_seconds: alert.details.duration_seconds,
            message: alert.details.message,
            raised_at: alert.raised_at,
            acknowledged_at: alert.acknowledged_at,
            acknowledged_by: alert.acknowledged_by.map(|user| user.0),
        }
    }
}
