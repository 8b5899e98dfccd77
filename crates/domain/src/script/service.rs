use std::sync::Arc;

use super::ScriptRepository;
use crate::agent::AgentRepository;
use crate::audit::AuditService;
use crate::clock::Clock;
use crate::event::EventPublisher;
use crate::execution::{ExecutionRepository, ExecutionSettings, ExecutionWaker};

/// The script library and running its scripts on agents (changes and runs recorded in the
/// audit log).
#[derive(Clone)]
pub struct ScriptService {
    pub(super) scripts: Arc<dyn ScriptRepository>,
    pub(super) agents: Arc<dyn AgentRepository>,
    pub(super) executions: Arc<dyn ExecutionRepository>,
    pub(super) waker: Arc<dyn ExecutionWaker>,
    pub(super) events: Arc<dyn EventPublisher>,
    pub(super) audit: AuditService,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) settings: ExecutionSettings,
}

/// The ports the script service uses.
#[derive(Clone)]
pub struct ScriptPorts {
    /// The library.
    pub scripts: Arc<dyn ScriptRepository>,
    /// Agents, to find targets.
    pub agents: Arc<dyn AgentRepository>,
    /// Executions, to queue runs.
    pub executions: Arc<dyn ExecutionRepository>,
    /// Wakes the processes holding the agents.
    pub waker: Arc<dyn ExecutionWaker>,
    /// Live events.
    pub events: Arc<dyn EventPublisher>,
    /// Where changes and runs are recorded.
    pub audit: AuditService,
    /// The time.
    pub clock: Arc<dyn Clock>,
}

impl ScriptService {
    /// Builds the service.
    pub fn new(ports: ScriptPorts, settings: ExecutionSettings) -> Self {
        Self {
            scripts: ports.scripts,
            agents: ports.agents,
            executions: ports.executions,
            waker: ports.waker,
            events: ports.events,
            audit: ports.audit,
            clock: ports.clock,
            settings,
        }
    }
}
