use std::sync::Arc;

use chrono::TimeDelta;

use super::{Execution, ExecutionRepository, ExecutionWaker};
use crate::agent::AgentRepository;
use crate::audit::AuditService;
use crate::clock::Clock;
use crate::event::{Event, EventPublisher};

/// Limits of executions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecutionSettings {
    /// How long a command waits for an offline agent by default (24 h).
    pub default_expiry: TimeDelta,
    /// The longest a caller may ask a command to wait (7 days).
    pub max_expiry: TimeDelta,
    /// Results larger than this (serialized) are cut and marked truncated (1 MiB).
    pub max_result_bytes: usize,
}

impl Default for ExecutionSettings {
    fn default() -> Self {
        Self {
            default_expiry: TimeDelta::hours(24),
            max_expiry: TimeDelta::days(7),
            max_result_bytes: 1024 * 1024,
        }
    }
}

impl ExecutionSettings {
    /// How long a command may wait for its agent: `requested`, or the default; `None` when
    /// the request is under a second or over the maximum.
    pub(crate) fn expiry(&self, requested: Option<TimeDelta>) -> Option<TimeDelta> {
        let expiry = requested.unwrap_or(self.default_expiry);
        (TimeDelta::seconds(1) <= expiry && expiry <= self.max_expiry).then_some(expiry)
    }
}

/// Announces newly queued executions: wakes whichever process holds each agent's connection
/// and publishes an `execution.updated` event for each.
pub(crate) fn announce(
    waker: &dyn ExecutionWaker,
    events: &dyn EventPublisher,
    queued: &[Execution],
) {
    let mut woken = std::collections::HashSet::new();
    for execution in queued {
        if woken.insert(execution.agent) {
            waker.wake(execution.agent);
        }
        events.publish(Event::execution(execution));
    }
}

/// What technicians do with commands: send one, follow it, cancel it (sending and cancelling
/// recorded in the audit log).
#[derive(Clone)]
pub struct ExecutionService {
    pub(super) agents: Arc<dyn AgentRepository>,
    pub(super) executions: Arc<dyn ExecutionRepository>,
    pub(super) waker: Arc<dyn ExecutionWaker>,
    pub(super) events: Arc<dyn EventPublisher>,
    pub(super) audit: AuditService,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) settings: ExecutionSettings,
}

impl ExecutionService {
    /// Builds the service.
    pub fn new(
        agents: Arc<dyn AgentRepository>,
        executions: Arc<dyn ExecutionRepository>,
        waker: Arc<dyn ExecutionWaker>,
        events: Arc<dyn EventPublisher>,
        audit: AuditService,
        clock: Arc<dyn Clock>,
        settings: ExecutionSettings,
    ) -> Self {
        Self {
            agents,
            executions,
            waker,
            events,
            audit,
            clock,
            settings,
        }
    }
}
