use super::{Agent, AgentId, AgentService};
use crate::PortError;
use crate::auth::{Actor, Capability};

/// Why an agent could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GetAgentError {
    /// The caller may not read agents.
    #[error("you may not read agents")]
    Forbidden,
    /// No such agent (or it was deleted).
    #[error("agent not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AgentService {
    /// One agent with its latest reported facts.
    pub async fn get(&self, actor: &Actor, id: AgentId) -> Result<Agent, GetAgentError> {
        if !actor.can(Capability::Read) {
            return Err(GetAgentError::Forbidden);
        }
        let found = super::visible(self.agents.as_ref(), actor, id)
            .await?
            .ok_or(GetAgentError::NotFound)?;
        Ok(found.agent)
    }
}
