use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::TimeDelta;

use super::ProcessRegistry;
use super::deferred::DeferredMessages;
use crate::PortError;
use crate::agent::{Agent, AgentId, AgentRepository};
use crate::alert::AlertRepository;
use crate::clock::Clock;
use crate::event::{Event, EventPublisher};
use crate::execution::{ConnectionId, ExecutionRepository, ExecutionSettings, ProcessId};
use crate::health::DroppedRecords;
use crate::inventory::InventoryRepository;
use crate::presence::PresenceRepository;
use crate::protocol::command_frame;
use crate::telemetry::HeartbeatSink;

/// Presence thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewaySettings {
    /// An online agent silent this long goes offline (3 minutes).
    pub offline_after: TimeDelta,
    /// An offline agent silent this long is overdue (30 minutes).
    pub overdue_after: TimeDelta,
    /// At most one `agent.heartbeat` event per agent per this long (1 s).
    pub heartbeat_event_interval: TimeDelta,
    /// At most this many queued commands are sent to an agent at once (8); the rest follow
    /// with the next delivery sweep. The agent's rate limiter refuses more than 10 commands
    /// in a burst (then 5 per second).
    pub delivery_batch: u32,
    /// At most this many agent messages (answers, alerts, inventory and maintenance changes)
    /// are kept while the database is unavailable (10,000)...
    pub deferred_messages: usize,
    /// ... and at most about this many bytes of them (64 MiB); beyond either bound a new
    /// message is dropped, logged and counted.
    pub deferred_bytes: usize,
    /// A server process silent this long is dead (20 s; processes beat every 5 s).
    pub process_dead_after: TimeDelta,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            offline_after: TimeDelta::minutes(3),
            overdue_after: TimeDelta::minutes(30),
            heartbeat_event_interval: TimeDelta::seconds(1),
            delivery_batch: 8,
            deferred_messages: 10_000,
            deferred_bytes: 64 * 1024 * 1024,
            process_dead_after: TimeDelta::seconds(20),
        }
    }
}

/// The ports the gateway needs.
#[derive(Clone)]
pub struct GatewayPorts {
    /// Agents.
    pub agents: Arc<dyn AgentRepository>,
    /// Online/offline.
    pub presence: Arc<dyn PresenceRepository>,
    /// Commands.
    pub executions: Arc<dyn ExecutionRepository>,
    /// Heartbeat storage.
    pub heartbeats: Arc<dyn HeartbeatSink>,
    /// Software inventories.
    pub inventories: Arc<dyn InventoryRepository>,
    /// Alerts.
    pub alerts: Arc<dyn AlertRepository>,
    /// Live events.
    pub events: Arc<dyn EventPublisher>,
    /// The time.
    pub clock: Arc<dyn Clock>,
    /// Which server processes are alive.
    pub processes: Arc<dyn ProcessRegistry>,
}

/// Why an agent's connection was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdmitError {
    /// No such agent, or it was deleted.
    #[error("unknown agent")]
    UnknownAgent,
    /// Pending or rejected.
    #[error("the agent is not approved")]
    NotApproved,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// What happens on agent connections. One instance per server process.
#[derive(Clone)]
pub struct GatewayService {
    pub(super) ports: GatewayPorts,
    pub(super) settings: GatewaySettings,
    pub(super) execution_settings: ExecutionSettings,
    pub(super) last_heartbeat_event: Arc<Mutex<HashMap<AgentId, chrono::DateTime<chrono::Utc>>>>,
    pub(super) deferred: Arc<DeferredMessages>,
    pub(super) dropped: DroppedRecords,
    pub(super) process: ProcessId,
}

impl GatewayService {
    /// Builds the service.
    pub fn new(
        ports: GatewayPorts,
        settings: GatewaySettings,
        execution_settings: ExecutionSettings,
    ) -> Self {
        Self {
            ports,
            deferred: Arc::new(DeferredMessages::new(
                settings.deferred_messages,
                settings.deferred_bytes,
            )),
            settings,
            execution_settings,
            last_heartbeat_event: Arc::default(),
            dropped: DroppedRecords::default(),
            process: ProcessId::new(),
        }
    }

    /// Counts what this service drops in `dropped` (shared with the metrics).
    pub fn with_dropped(mut self, dropped: DroppedRecords) -> Self {
        self.dropped = dropped;
        self
    }

    /// Whether `agent` may connect: it exists, is not deleted, and is approved.
    pub async fn admit(&self, agent: AgentId) -> Result<Agent, AdmitError> {
        let stored = self
            .ports
            .agents
            .find(agent)
            .await?
            .ok_or(AdmitError::UnknownAgent)?;
        if !stored.agent.status.is_approved() {
            return Err(AdmitError::NotApproved);
        }
        Ok(stored.agent)
    }

    /// The agent connected: it is online, and its queued commands are returned as frames to
    /// send.
    pub async fn connected(
        &self,
        agent: &Agent,
        connection: ConnectionId,
    ) -> Result<Vec<String>, PortError> {
        self.heard_from(agent.id, "connected").await?;
        self.deliverable(agent.id, connection).await
    }

    /// The one rule for coming online: an approved agent heard from (it connected, or its
    /// heartbeat arrived while it was marked offline) is online, which is recorded once and
    /// announced as `agent.online`.
    pub(super) async fn heard_from(&self, agent: AgentId, how: &str) -> Result<(), PortError> {
        let now = self.ports.clock.now();
        if self.ports.presence.online(agent, now).await? {
            tracing::info!(%agent, how, "agent online");
            self.ports.events.publish(Event::agent(
                "agent.online",
                agent,
                now,
                serde_json::Value::Null,
            ));
        }
        Ok(())
    }

    /// The agent's queued commands, claimed for this connection, as frames to send.
    pub async fn deliverable(
        &self,
        agent: AgentId,
        connection: ConnectionId,
    ) -> Result<Vec<String>, PortError> {
        let now = self.ports.clock.now();
        let claimed = self
            .ports
            .executions
            .claim(
                agent,
                connection,
                self.process,
                now,
                self.settings.delivery_batch,
            )
            .await?;
        Ok(claimed
            .iter()
            .map(|execution| {
                self.ports.events.publish(Event::execution(execution));
                command_frame(execution, now)
            })
            .collect())
    }

    /// The connection closed: the agent is offline (unless a newer connection took over), and
    /// the commands it had not answered are settled: read-only ones go back to the queue,
    /// mutating ones fail and are never re-sent.
    pub async fn disconnected(
        &self,
        agent: &Agent,
        connection: ConnectionId,
        replaced: bool,
    ) -> Result<(), PortError> {
        let now = self.ports.clock.now();
        let reason = "the connection to the agent was lost before it answered; \
                      not re-sent because this action changes the machine";
        for failed in self
            .ports
            .executions
            .connection_lost(agent.id, connection, reason, now)
            .await?
        {
            self.ports.events.publish(Event::execution(&failed));
        }
        self.last_heartbeat_event
            .lock()
            .expect("heartbeat throttle")
            .remove(&agent.id);
        if replaced || !self.ports.presence.offline(agent.id, now).await? {
            return Ok(());
        }
        tracing::info!(agent = %agent.id, "agent offline");
        self.went_offline(agent.id, now);
        Ok(())
    }

    pub(super) fn went_offline(&self, agent: AgentId, at: chrono::DateTime<chrono::Utc>) {
        self.ports.events.publish(Event::agent(
            "agent.offline",
            agent,
            at,
            serde_json::Value::Null,
        ));
    }
}
