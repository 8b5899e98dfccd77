use std::sync::Arc;

use super::{AgentId, AgentRepository};
use crate::audit::AuditService;
use crate::clock::Clock;
use crate::tenancy::TenancyRepository;

/// Ends an agent's live connection, on whichever server process holds it.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait ConnectionControl: Send + Sync {
    /// Closes the agent's connection, if it has one.
    fn disconnect(&self, agent: AgentId);
}

/// What technicians do with agents: list, read, label, approve, reject, delete (the changes
/// recorded in the audit log).
#[derive(Clone)]
pub struct AgentService {
    pub(super) agents: Arc<dyn AgentRepository>,
    pub(super) tenancy: Arc<dyn TenancyRepository>,
    pub(super) connections: Arc<dyn ConnectionControl>,
    pub(super) audit: AuditService,
    pub(super) clock: Arc<dyn Clock>,
}

impl AgentService {
    /// Builds the service.
    pub fn new(
        agents: Arc<dyn AgentRepository>,
        tenancy: Arc<dyn TenancyRepository>,
        connections: Arc<dyn ConnectionControl>,
        audit: AuditService,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            agents,
            tenancy,
            connections,
            audit,
            clock,
        }
    }
}
