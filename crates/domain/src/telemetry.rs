//! What agents report over time: heartbeats, the latest state, metric history.

mod metrics;
mod sink;
mod state;

pub use metrics::{
    DiskPoint, MetricPoint, MetricsError, MetricsRepository, MetricsRequest, Resolution,
};
pub use sink::{HeartbeatFlush, HeartbeatSink, ReceivedHeartbeat};
pub use state::{AgentState, AgentStateRepository, TelemetryService};

#[cfg(any(test, feature = "mocks"))]
pub use metrics::MockMetricsRepository;
#[cfg(any(test, feature = "mocks"))]
pub use sink::MockHeartbeatSink;
#[cfg(any(test, feature = "mocks"))]
pub use state::MockAgentStateRepository;
