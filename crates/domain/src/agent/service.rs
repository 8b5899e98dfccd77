use std::sync::Arc;

use super::AgentRepository;
use crate::clock::Clock;

/// What technicians do with agents: list, read, label, approve, reject, delete.
#[derive(Clone)]
pub struct AgentService {
    pub(super) agents: Arc<dyn AgentRepository>,
    pub(super) clock: Arc<dyn Clock>,
}

impl AgentService {
    /// Builds the service.
    pub fn new(agents: Arc<dyn AgentRepository>, clock: Arc<dyn Clock>) -> Self {
        Self { agents, clock }
    }
}
