//! What the gateway stores in the [`MemoryDb`]: presence, heartbeats, inventories, alerts.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use slimrmm_domain::PortError;
use slimrmm_domain::agent::{AgentId, AgentStatus, Hostname};
use slimrmm_domain::alert::{Alert, AlertId, AlertListQuery, AlertRepository, AlertSort};
use slimrmm_domain::inventory::{Inventory, InventoryKind, InventoryRepository};
use slimrmm_domain::list::Page;
use slimrmm_domain::notification::{Notification, Severity};
use slimrmm_domain::presence::{AgentSummary, PresenceRepository};
use slimrmm_domain::protocol::ThresholdAlert;
use slimrmm_domain::telemetry::{HeartbeatSink, ReceivedHeartbeat};
use slimrmm_domain::user::UserId;

use super::{MemoryDb, next, paginate, time};

#[async_trait]
impl PresenceRepository for MemoryDb {
    async fn online(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError> {
        let mut db = self.lock();
        let Some(row) = db
            .live_agent_mut(agent)
            .filter(|row| row.stored.agent.status.is_approved())
        else {
            return Ok(false);
        };
        let agent = &mut row.stored.agent;
        let was_offline = agent.status == AgentStatus::Offline;
        agent.status = AgentStatus::Online;
        agent.last_seen_at = Some(at);
        agent.overdue_since = None;
        Ok(was_offline)
    }

    async fn offline(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError> {
        let mut db = self.lock();
        let Some(row) = db
            .live_agent_mut(agent)
            .filter(|row| row.stored.agent.status == AgentStatus::Online)
        else {
            return Ok(false);
        };
        row.stored.agent.status = AgentStatus::Offline;
        let hostname = row.stored.agent.facts.hostname.clone();
        db.enqueue(
            Notification::AgentOffline {
                agent,
                hostname,
                at,
            },
            at,
        );
        Ok(true)
    }

    async fn silent_to_offline(
        &self,
        silent_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError> {
        let mut db = self.lock();
        let silent: Vec<AgentId> = db
            .agents
            .iter()
            .filter(|row| row.deleted_at.is_none())
            .map(|row| &row.stored.agent)
            .filter(|a| a.status == AgentStatus::Online && db.heard_from(a) < silent_since)
            .map(|agent| agent.id)
            .collect();
        let mut changed = Vec::new();
        for id in silent {
            if let Some(row) = db.live_agent_mut(id) {
                row.stored.agent.status = AgentStatus::Offline;
                let hostname = row.stored.agent.facts.hostname.clone();
                let notice = Notification::AgentOffline {
                    agent: id,
                    hostname: hostname.clone(),
                    at,
                };
                db.enqueue(notice, at);
                changed.push(AgentSummary { id, hostname });
            }
        }
        Ok(changed)
    }

    async fn mark_overdue(
        &self,
        offline_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError> {
        let mut db = self.lock();
        let overdue: Vec<AgentId> = db
            .agents
            .iter()
            .filter(|row| row.deleted_at.is_none())
            .map(|row| &row.stored.agent)
            .filter(|a| a.status == AgentStatus::Offline && a.overdue_since.is_none())
            .filter(|a| db.heard_from(a) < offline_since)
            .map(|agent| agent.id)
            .collect();
        let mut changed = Vec::new();
        for id in overdue {
            if let Some(row) = db.live_agent_mut(id) {
                row.stored.agent.overdue_since = Some(at);
                let hostname = row.stored.agent.facts.hostname.clone();
                let notice = Notification::AgentOverdue {
                    agent: id,
                    hostname: hostname.clone(),
                    at,
                };
                db.enqueue(notice, at);
                changed.push(AgentSummary { id, hostname });
            }
        }
        Ok(changed)
    }

    async fn set_maintenance(&self, agent: AgentId, enabled: bool) -> Result<(), PortError> {
        if let Some(row) = self.lock().live_agent_mut(agent) {
            row.stored.agent.maintenance = enabled;
        }
        Ok(())
    }
}

impl HeartbeatSink for MemoryDb {
    /// Keeps each agent's latest heartbeat (the server batches them into `agent_state` and the
    /// metric history) and what it says about the agent.
    fn submit(&self, heartbeat: ReceivedHeartbeat) {
        let mut db = self.lock();
        if let Some(row) = db.live_agent_mut(heartbeat.agent) {
            let agent = &mut row.stored.agent;
            agent.last_seen_at = Some(heartbeat.at);
            if let Some(ip) = &heartbeat.heartbeat.external_ip {
                agent.external_ip = Some(ip.clone());
            }
            if let Some(serial) = &heartbeat.heartbeat.serial_number {
                agent.serial_number = Some(serial.clone());
            }
        }
        db.last_heartbeat.insert(heartbeat.agent, heartbeat);
    }
}

#[async_trait]
impl InventoryRepository for MemoryDb {
    async fn get(
        &self,
        agent: AgentId,
        kind: InventoryKind,
    ) -> Result<Option<Inventory>, PortError> {
        let db = self.lock();
        let found = db
            .inventories
            .iter()
            .find(|(a, k, _)| *a == agent && *k == kind);
        Ok(found.map(|(_, _, inventory)| inventory.clone()))
    }

    async fn put(
        &self,
        agent: AgentId,
        kind: InventoryKind,
        inventory: &Inventory,
    ) -> Result<(), PortError> {
        let mut db = self.lock();
        db.inventories
            .retain(|(a, k, _)| !(*a == agent && *k == kind));
        db.inventories.push((agent, kind, inventory.clone()));
        Ok(())
    }
}

#[async_trait]
impl AlertRepository for MemoryDb {
    async fn create(
        &self,
        agent: AgentId,
        hostname: &Hostname,
        details: &ThresholdAlert,
        at: DateTime<Utc>,
    ) -> Result<Alert, PortError> {
        let mut db = self.lock();
        let alert = Alert {
            id: AlertId(next(&mut db.ids.alerts)),
            agent,
            details: details.clone(),
            raised_at: at,
            acknowledged_at: None,
            acknowledged_by: None,
        };
        db.alerts.push(alert.clone());
        let notice = Notification::ThresholdAlert {
            alert: alert.id,
            agent,
            hostname: hostname.clone(),
            metric: details.metric.clone(),
            severity: details.severity.parse().unwrap_or(Severity::Warning),
            message: details.message.clone(),
            at,
        };
        db.enqueue(notice, at);
        Ok(alert)
    }

    async fn list(&self, query: &AlertListQuery) -> Result<Page<Alert>, PortError> {
        let db = self.lock();
        let filter = &query.filter;
        let rows = db
            .alerts
            .iter()
            .filter(|a| filter.agent.is_none_or(|agent| a.agent == agent))
            .filter(|a| {
                filter
                    .acknowledged
                    .is_none_or(|ack| a.acknowledged_at.is_some() == ack)
            })
            .filter(|a| {
                let severity = filter.severity.as_deref();
                severity.is_none_or(|s| a.details.severity == s)
            })
            .cloned()
            .collect();
        Ok(paginate(rows, query, |alert, sort| match sort {
            AlertSort::RaisedAt => time(alert.raised_at),
        }))
    }

    async fn acknowledge(
        &self,
        id: AlertId,
        by: UserId,
        at: DateTime<Utc>,
    ) -> Result<Option<Alert>, PortError> {
        let mut db = self.lock();
        let Some(alert) = db.alerts.iter_mut().find(|alert| alert.id == id) else {
            return Ok(None);
        };
        if alert.acknowledged_at.is_none() {
            alert.acknowledged_at = Some(at);
            alert.acknowledged_by = Some(by);
        }
        Ok(Some(alert.clone()))
    }
}
