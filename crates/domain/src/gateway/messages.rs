use chrono::{DateTime, Utc};
use serde_json::json;

use super::GatewayService;
use super::deferred::Deferral;
use crate::PortError;
use crate::agent::Agent;
use crate::event::Event;
use crate::execution::outcome_of;
use crate::health::{DropReason, DroppedKind};
use crate::inventory::{Inventory, InventoryKind};
use crate::protocol::{AgentMessage, InventoryChange, Reply, ThresholdAlert};
use crate::telemetry::ReceivedHeartbeat;

/// What kind of record a message is, for the dropped-records count.
pub(super) fn kind_of(message: &AgentMessage) -> Option<DroppedKind> {
    match message {
        AgentMessage::Heartbeat(_) => Some(DroppedKind::Heartbeat),
        AgentMessage::Reply(_) => Some(DroppedKind::Reply),
        AgentMessage::ThresholdAlert(_) => Some(DroppedKind::Alert),
        AgentMessage::SetMaintenance { .. } => Some(DroppedKind::Maintenance),
        AgentMessage::InventoryChange(_) => Some(DroppedKind::Inventory),
        AgentMessage::Other { .. } => None,
    }
}

impl GatewayService {
    /// Acts on one message from a connected agent.
    ///
    /// Nothing an agent delivered is lost because the database blinked: a message that cannot
    /// be written while the database is unavailable is kept (in arrival order, within
    /// [`GatewaySettings::deferred_messages`](super::GatewaySettings) and
    /// `deferred_bytes`) and written by [`retry_deferred`](Self::retry_deferred) once it is
    /// back; while any are kept, newer messages queue behind them so that their order holds.
    /// A message the database refuses outright is dropped, logged and counted, and never
    /// affects another.
    pub async fn received(&self, agent: &Agent, message: AgentMessage) -> Result<(), PortError> {
        let now = self.ports.clock.now();
        if !matches!(message, AgentMessage::Heartbeat(_)) {
            match self.deferred.defer_behind(agent, message, now) {
                Deferral::Kept => return Ok(()),
                Deferral::Full(kind) => {
                    self.buffer_full(agent, kind);
                    return Ok(());
                }
                Deferral::Now(message) => return self.handle_now(agent, message, now).await,
            }
        }
        self.handle(agent, message, now).await
    }

    /// Handles a message while nothing is deferred, deferring it if the database is down.
    async fn handle_now(
        &self,
        agent: &Agent,
        message: AgentMessage,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let kind = kind_of(&message);
        let kept = message.clone();
        match self.handle(agent, message, now).await {
            Err(PortError::Unavailable(error)) => {
                tracing::warn!(agent = %agent.id, error = %error, "the database is unavailable; the agent's message is kept until it is back");
                if let Deferral::Full(kind) = self.deferred.defer(agent, kept, now) {
                    self.buffer_full(agent, kind);
                }
                Ok(())
            }
            Err(error) => {
                if let Some(kind) = kind {
                    self.dropped.record(kind, DropReason::Unstorable);
                }
                Err(error)
            }
            Ok(()) => Ok(()),
        }
    }

    fn buffer_full(&self, agent: &Agent, kind: Option<DroppedKind>) {
        tracing::error!(agent = %agent.id, "the database is unavailable and the buffer of agent messages is full; message dropped");
        if let Some(kind) = kind {
            self.dropped.record(kind, DropReason::BufferFull);
        }
    }

    /// Writes the messages kept while the database was unavailable, oldest first; stops at
    /// the first that still cannot be written. Returns how many were handled.
    pub async fn retry_deferred(&self) -> Result<usize, PortError> {
        let mut handled = 0;
        while let Some(entry) = self.deferred.next() {
            let kind = kind_of(&entry.message);
            // Put back if this task is cancelled while the entry is out (a shutdown).
            let taken = self.deferred.taken(entry);
            let (agent, message, at) = taken.parts();
            let result = self.handle(&agent, message, at).await;
            let entry = taken.keep();
            match result {
                Ok(()) => self.deferred.done(),
                Err(error @ PortError::Unavailable(_)) => {
                    self.deferred.put_back(entry);
                    return Err(error);
                }
                Err(error) => {
                    tracing::error!(agent = %entry.agent.id, error = ?error, "a kept agent message was refused by the database; dropped");
                    if let Some(kind) = kind {
                        self.dropped.record(kind, DropReason::Unstorable);
                    }
                    self.deferred.done();
                }
            }
            handled += 1;
        }
        Ok(handled)
    }

    /// How many messages wait for the database.
    pub fn deferred(&self) -> usize {
        self.deferred.len()
    }

    async fn handle(
        &self,
        agent: &Agent,
        message: AgentMessage,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        match message {
            AgentMessage::Heartbeat(heartbeat) => {
                let kind = heartbeat.kind;
                self.ports.heartbeats.submit(ReceivedHeartbeat {
                    agent: agent.id,
                    at: now,
                    heartbeat,
                });
                if self.heartbeat_event_due(agent, now) {
                    let extra = json!({ "kind": kind.as_str() });
                    self.ports.events.publish(Event::agent(
                        "agent.heartbeat",
                        agent.id,
                        now,
                        extra,
                    ));
                }
            }
            AgentMessage::Reply(reply) => self.answer(agent, reply, now).await?,
            AgentMessage::ThresholdAlert(alert) => self.alert(agent, alert, now).await?,
            AgentMessage::SetMaintenance { enabled } => {
                self.ports
                    .presence
                    .set_maintenance(agent.id, enabled)
                    .await?;
            }
            AgentMessage::InventoryChange(change) => {
                self.inventory_changed(agent, &change, now).await?
            }
            AgentMessage::Other { action } => {
                tracing::debug!(agent = %agent.id, action = %action, "agent message not acted on");
            }
        }
        Ok(())
    }

    fn heartbeat_event_due(&self, agent: &Agent, now: DateTime<Utc>) -> bool {
        let mut last = self
            .last_heartbeat_event
            .lock()
            .expect("heartbeat throttle");
        match last.get(&agent.id) {
            Some(previous) if now - *previous < self.settings.heartbeat_event_interval => false,
            _ => {
                last.insert(agent.id, now);
                true
            }
        }
    }

    /// Settles the execution a reply answers. An inventory it carries is stored first, while
    /// the execution is still open: a reply kept through a database outage and written again
    /// then stores both, instead of finding its execution settled and its inventory lost.
    async fn answer(
        &self,
        agent: &Agent,
        reply: Reply,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let id = reply.execution;
        let kind = match reply.action.as_str() {
            "get_software_inventory" => Some(InventoryKind::Software),
            "get_available_updates" => Some(InventoryKind::Updates),
            _ => None,
        };
        let outcome = outcome_of(reply, self.execution_settings.max_result_bytes);
        if let Some(kind) = kind {
            self.store_inventory(agent, id, kind, &outcome, now).await?;
        }
        let Some(execution) = self
            .ports
            .executions
            .complete(id, agent.id, &outcome, now)
            .await?
        else {
            // A second answer to the same command (§3.2), or not ours.
            tracing::debug!(agent = %agent.id, execution = %id, "reply ignored");
            return Ok(());
        };
        self.ports.events.publish(Event::execution(&execution));
        Ok(())
    }

    /// Stores the inventory of a reply to the agent's own open `kind` request.
    async fn store_inventory(
        &self,
        agent: &Agent,
        id: crate::execution::ExecutionId,
        kind: InventoryKind,
        outcome: &crate::execution::ReplyOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let action = match kind {
            InventoryKind::Software => "get_software_inventory",
            InventoryKind::Updates => "get_available_updates",
        };
        let open = self
            .ports
            .executions
            .find(id)
            .await?
            .is_some_and(|execution| {
                execution.agent == agent.id
                    && execution.action == action
                    && matches!(
                        execution.status,
                        crate::execution::ExecutionStatus::Sent
                            | crate::execution::ExecutionStatus::TimedOut
                    )
            });
        if let (true, false, Some(data)) = (open, outcome.truncated, outcome.result.as_ref())
            && let Some(inventory) = Inventory::from_reply(kind, data, now)
        {
            self.ports
                .inventories
                .put(agent.id, kind, &inventory)
                .await?;
        }
        Ok(())
    }

    async fn alert(
        &self,
        agent: &Agent,
        details: ThresholdAlert,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let alert = self
            .ports
            .alerts
            .create(agent.id, &agent.facts.hostname, &details, now)
            .await?;
        tracing::info!(agent = %agent.id, alert = %alert.id, metric = %details.metric, severity = %details.severity, "alert raised");
        let data = json!({"id": alert.id.0, "metric": details.metric, "severity": details.severity, "message": details.message});
        self.ports
            .events
            .publish(Event::agent("alert.raised", agent.id, now, data));
        Ok(())
    }

    async fn inventory_changed(
        &self,
        agent: &Agent,
        change: &InventoryChange,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let kind = InventoryKind::Software;
        let mut inventory =
            self.ports
                .inventories
                .get(agent.id, kind)
                .await?
                .unwrap_or(Inventory {
                    entries: Vec::new(),
                    source: None,
                    updated_at: now,
                });
        inventory.apply(change, now);
        self.ports.inventories.put(agent.id, kind, &inventory).await
    }
}
