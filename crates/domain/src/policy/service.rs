use std::sync::Arc;

use chrono::TimeDelta;

use super::PolicyRepository;
use crate::agent::AgentRepository;
use crate::audit::AuditService;
use crate::clock::Clock;
use crate::event::EventPublisher;
use crate::execution::{ExecutionRepository, ExecutionSettings, ExecutionWaker};

/// How the scheduler treats slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicySettings {
    /// A slot missed (the server was down) is still run when found within this time (1 h);
    /// older ones are skipped, and only the latest missed slot is ever caught up.
    pub grace: TimeDelta,
    /// At most this many due policies are started per tick.
    pub due_batch: u32,
}

impl Default for PolicySettings {
    fn default() -> Self {
        Self {
            grace: TimeDelta::hours(1),
            due_batch: 50,
        }
    }
}

/// The ports the policy service uses.
#[derive(Clone)]
pub struct PolicyPorts {
    /// Policies and runs.
    pub policies: Arc<dyn PolicyRepository>,
    /// Agents, to find targets.
    pub agents: Arc<dyn AgentRepository>,
    /// Executions (scans).
    pub executions: Arc<dyn ExecutionRepository>,
    /// Wakes the processes holding the agents.
    pub waker: Arc<dyn ExecutionWaker>,
    /// Live events.
    pub events: Arc<dyn EventPublisher>,
    /// Where changes, runs and scans are recorded.
    pub audit: AuditService,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

/// Patch policies: their library, runs now and by schedule, and scans (each change, run and
/// scan recorded in the audit log).
#[derive(Clone)]
pub struct PolicyService {
    pub(super) ports: PolicyPorts,
    pub(super) settings: PolicySettings,
    pub(super) executions: ExecutionSettings,
}

impl PolicyService {
    /// Builds the service.
    pub fn new(
        ports: PolicyPorts,
        settings: PolicySettings,
        executions: ExecutionSettings,
    ) -> Self {
        Self {
            ports,
            settings,
            executions,
        }
    }
}
