use super::{AgentId, AgentService};
use crate::PortError;
use crate::auth::{Actor, Capability};

/// Why an agent could not be deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteAgentError {
    /// Only admins delete agents.
    #[error("only admins may delete agents")]
    Forbidden,
    /// No such agent.
    #[error("agent not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AgentService {
    /// Deletes an agent: its certificates are revoked and its uuid is never accepted again.
    pub async fn delete(&self, actor: &Actor, id: AgentId) -> Result<(), DeleteAgentError> {
        if !actor.can(Capability::Administer) {
            return Err(DeleteAgentError::Forbidden);
        }
        if !self.agents.delete(id, self.clock.now()).await? {
            return Err(DeleteAgentError::NotFound);
        }
        tracing::info!(agent = %id, by = %actor.id(), "agent deleted; its certificates are revoked");
        Ok(())
    }
}
