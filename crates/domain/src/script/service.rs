use std::sync::Arc;

use super::ScriptRepository;
use crate::agent::AgentRepository;
use crate::clock::Clock;
use crate::event::EventPublisher;
use crate::execution::{ExecutionRepository, ExecutionSettings, ExecutionWaker};

/// The script library and running its scripts on agents.
#[derive(Clone)]
pub struct ScriptService {
    pub(super) scripts: Arc<dyn ScriptRepository>,
    pub(super) agents: Arc<dyn AgentRepository>,
    pub(super) executions: Arc<dyn ExecutionRepository>,
    pub(super) waker: Arc<dyn ExecutionWaker>,
    pub(super) events: Arc<dyn EventPublisher>,
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
            clock: ports.clock,
            settings,
        }
    }
}
