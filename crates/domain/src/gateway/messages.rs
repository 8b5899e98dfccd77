use chrono::{DateTime, Utc};
use serde_json::json;

use super::GatewayService;
use crate::PortError;
use crate::agent::Agent;
use crate::event::Event;
use crate::execution::outcome_of;
use crate::inventory::{Inventory, InventoryKind};
use crate::protocol::{AgentMessage, InventoryChange, Reply, ThresholdAlert};
use crate::telemetry::ReceivedHeartbeat;

impl GatewayService {
    /// Acts on one message from a connected agent.
    pub async fn received(&self, agent: &Agent, message: AgentMessage) -> Result<(), PortError> {
        let now = self.ports.clock.now();
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

    async fn answer(
        &self,
        agent: &Agent,
        reply: Reply,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let id = reply.execution;
        let outcome = outcome_of(reply, self.execution_settings.max_result_bytes);
        let truncated = outcome.truncated;
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
        let kind = match execution.action.as_str() {
            "get_software_inventory" => InventoryKind::Software,
            "get_available_updates" => InventoryKind::Updates,
            _ => return Ok(()),
        };
        if let (false, Some(data)) = (truncated, outcome.result.as_ref())
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
