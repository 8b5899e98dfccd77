use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{MetricPoint, MetricsError, MetricsRepository, MetricsRequest};
use crate::PortError;
use crate::agent::{AgentId, AgentRepository};
use crate::auth::{Actor, Capability};
use crate::clock::Clock;

/// The latest an agent reported.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentState {
    /// When its last heartbeat arrived.
    pub last_heartbeat_at: DateTime<Utc>,
    /// That heartbeat's kind.
    pub heartbeat_kind: String,
    /// Its latest `stats` object.
    pub stats: Option<Value>,
    /// The latest of each delta-sent block, by name.
    pub blocks: Value,
}

/// Where the latest state is read from.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AgentStateRepository: Send + Sync {
    /// The agent's latest state, once it has sent a heartbeat.
    async fn state(&self, agent: AgentId) -> Result<Option<AgentState>, PortError>;
}

/// Reading what agents reported.
#[derive(Clone)]
pub struct TelemetryService {
    agents: Arc<dyn AgentRepository>,
    states: Arc<dyn AgentStateRepository>,
    metrics: Arc<dyn MetricsRepository>,
    clock: Arc<dyn Clock>,
}

impl TelemetryService {
    /// Builds the service.
    pub fn new(
        agents: Arc<dyn AgentRepository>,
        states: Arc<dyn AgentStateRepository>,
        metrics: Arc<dyn MetricsRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            agents,
            states,
            metrics,
            clock,
        }
    }

    async fn known(&self, actor: &Actor, agent: AgentId) -> Result<(), MetricsError> {
        if !actor.can(Capability::Read) {
            return Err(MetricsError::Forbidden);
        }
        crate::agent::visible(self.agents.as_ref(), actor, agent)
            .await?
            .ok_or(MetricsError::AgentNotFound)?;
        Ok(())
    }

    /// The agent's latest state (`None` before its first heartbeat).
    pub async fn state(
        &self,
        actor: &Actor,
        agent: AgentId,
    ) -> Result<Option<AgentState>, MetricsError> {
        self.known(actor, agent).await?;
        Ok(self.states.state(agent).await?)
    }

    /// The agent's metric history, aggregated at the requested resolution.
    pub async fn metrics(
        &self,
        actor: &Actor,
        agent: AgentId,
        request: MetricsRequest,
    ) -> Result<Vec<MetricPoint>, MetricsError> {
        let window = request.window(self.clock.now())?;
        self.known(actor, agent).await?;
        Ok(self
            .metrics
            .series(agent, window.0, window.1, request.resolution)
            .await?)
    }
}
