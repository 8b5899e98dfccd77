//! Live events for dashboards, published by whichever server process sees them and delivered
//! to the subscribers of every process.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::agent::AgentId;
use crate::execution::Execution;

/// Something dashboards want to know at once.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `agent.online`, `agent.offline`, `agent.enrolled`, `agent.heartbeat`,
    /// `execution.updated` or `alert.raised`.
    pub kind: &'static str,
    /// The agent it concerns, for `?agent=` filtering.
    pub agent: Option<AgentId>,
    /// The payload.
    pub data: Value,
    /// When it happened.
    pub at: DateTime<Utc>,
}

impl Event {
    /// An agent event carrying just its uuid (and `extra` fields).
    pub fn agent(kind: &'static str, agent: AgentId, at: DateTime<Utc>, extra: Value) -> Self {
        let mut data = json!({ "agent_uuid": agent.to_string() });
        if let (Some(data), Value::Object(extra)) = (data.as_object_mut(), extra) {
            data.extend(extra);
        }
        Self {
            kind,
            agent: Some(agent),
            data,
            at,
        }
    }

    /// The event as subscribers of `/api/v1/ws/events` receive it: `{"type", "data", "ts"}`.
    pub fn message(&self) -> Value {
        json!({ "type": self.kind, "data": self.data, "ts": self.at.to_rfc3339() })
    }

    /// The same event without its payload beyond the agent's uuid (`{"truncated": true,
    /// "agent_uuid"}`), for a transport that cannot carry the whole of it.
    pub fn truncated_message(&self) -> Value {
        let mut data = json!({ "truncated": true });
        if let Some(agent) = self.agent {
            data["agent_uuid"] = Value::from(agent.to_string());
        }
        json!({ "type": self.kind, "data": data, "ts": self.at.to_rfc3339() })
    }

    /// `execution.updated` for an execution's current state.
    pub fn execution(execution: &Execution) -> Self {
        let at = execution
            .completed_at
            .or(execution.sent_at)
            .unwrap_or(execution.created_at);
        Self {
            kind: "execution.updated",
            agent: Some(execution.agent),
            data: json!({
                "id": execution.id.to_string(),
                "agent_uuid": execution.agent.to_string(),
                "action": execution.action,
                "status": execution.status.as_str(),
            }),
            at,
        }
    }
}

/// Publishes events. Fire and forget: publishing never blocks or fails the caller.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait EventPublisher: Send + Sync {
    /// Hands an event over for delivery.
    fn publish(&self, event: Event);
}

/// Drops every event (for tools that need no live events).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventPublisher for NoEvents {
    fn publish(&self, _: Event) {}
}
