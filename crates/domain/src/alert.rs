//! Alerts agents raise (sustained CPU, memory or disk thresholds) and their acknowledgement.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::PortError;
use crate::agent::{AgentId, AgentRepository, Hostname};
use crate::auth::{Actor, Capability};
use crate::clock::Clock;
use crate::list::{ListQuery, Page};
use crate::protocol::ThresholdAlert;
use crate::tenancy::Scope;
use crate::user::UserId;

/// An alert's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlertId(pub i64);

impl fmt::Display for AlertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A raised alert.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Its id.
    pub id: AlertId,
    /// The agent that raised it.
    pub agent: AgentId,
    /// What it reported.
    pub details: ThresholdAlert,
    /// When it arrived.
    pub raised_at: DateTime<Utc>,
    /// When someone acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    /// Who.
    pub acknowledged_by: Option<UserId>,
}

crate::sort_key! {
    /// The fields an alert list can be sorted by.
    pub enum AlertSort default RaisedAt {
        /// When it was raised.
        RaisedAt => "raised_at",
    }
}

/// Filters of the alert list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    /// Only this agent's.
    pub agent: Option<AgentId>,
    /// Only acknowledged (`true`) or open (`false`) alerts.
    pub acknowledged: Option<bool>,
    /// Only `warning` or `critical`.
    pub severity: Option<String>,
}

/// A request for one page of alerts.
pub type AlertListQuery = ListQuery<AlertSort, AlertFilter>;

/// Where alerts are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AlertRepository: Send + Sync {
    /// In one transaction: stores a new alert and writes its `ThresholdAlert` notification
    /// (naming `hostname`) to the outbox.
    async fn create(
        &self,
        agent: AgentId,
        hostname: &Hostname,
        details: &ThresholdAlert,
        at: DateTime<Utc>,
    ) -> Result<Alert, PortError>;

    /// One page of the alerts of agents inside `scope`.
    async fn list(&self, scope: &Scope, query: &AlertListQuery) -> Result<Page<Alert>, PortError>;

    /// One alert.
    async fn find(&self, id: AlertId) -> Result<Option<Alert>, PortError>;

    /// Acknowledges an alert (the first acknowledgement is kept). `None` if there is none.
    async fn acknowledge(
        &self,
        id: AlertId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Alert>, PortError>;
}

/// Why alerts could not be read or acknowledged.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// Viewers read but do not acknowledge.
    #[error("only technicians and admins may acknowledge alerts")]
    Forbidden,
    /// No such alert.
    #[error("alert not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Listing and acknowledging alerts.
#[derive(Clone)]
pub struct AlertService {
    alerts: Arc<dyn AlertRepository>,
    agents: Arc<dyn AgentRepository>,
    clock: Arc<dyn Clock>,
}

impl AlertService {
    /// Builds the service.
    pub fn new(
        alerts: Arc<dyn AlertRepository>,
        agents: Arc<dyn AgentRepository>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            alerts,
            agents,
            clock,
        }
    }

    /// One page of alerts (every role may read).
    pub async fn list(
        &self,
        actor: &Actor,
        query: &AlertListQuery,
    ) -> Result<Page<Alert>, AlertError> {
        if !actor.can(Capability::Read) {
            return Err(AlertError::Forbidden);
        }
        Ok(self.alerts.list(actor.scope(), query).await?)
    }

    /// Acknowledges an alert.
    pub async fn acknowledge(&self, actor: &Actor, id: AlertId) -> Result<Alert, AlertError> {
        if !actor.can(Capability::Operate) {
            return Err(AlertError::Forbidden);
        }
        if !actor.scope().is_all() {
            let alert = self.alerts.find(id).await?.ok_or(AlertError::NotFound)?;
            if !crate::agent::sees_agent(self.agents.as_ref(), actor, alert.agent).await? {
                return Err(AlertError::NotFound);
            }
        }
        self.alerts
            .acknowledge(id, actor.id(), self.clock.now())
            .await?
            .ok_or(AlertError::NotFound)
    }
}
