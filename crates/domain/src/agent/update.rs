use serde_json::json;

use super::{Agent, AgentId, AgentLabelChanges, AgentService, DisplayName, Tags};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};

/// Label changes a technician asks for; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct UpdateAgentRequest {
    /// A new display name, or `Some(None)` to remove it.
    pub display_name: Option<Option<DisplayName>>,
    /// The new set of tags.
    pub tags: Option<Tags>,
}

/// Why an agent could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum UpdateAgentError {
    /// Viewers do not change agents.
    #[error("only technicians and admins may change agents")]
    Forbidden,
    /// No such agent.
    #[error("agent not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AgentService {
    /// Changes an agent's display name and tags.
    pub async fn update(
        &self,
        actor: &Actor,
        id: AgentId,
        request: UpdateAgentRequest,
    ) -> Result<Agent, UpdateAgentError> {
        if !actor.can(Capability::Operate) {
            return Err(UpdateAgentError::Forbidden);
        }
        if !super::sees_agent(self.agents.as_ref(), actor, id).await? {
            return Err(UpdateAgentError::NotFound);
        }
        let changes = AgentLabelChanges {
            display_name: request.display_name,
            tags: request.tags,
        };
        let agent = self
            .agents
            .update_labels(id, &changes, self.clock.now())
            .await?
            .ok_or(UpdateAgentError::NotFound)?;
        let record = AuditRecord::by(actor, "agent.update")
            .target("agent", agent.id)
            .details(json!({"hostname": agent.facts.hostname.as_str()}));
        self.audit.record(record).await;
        Ok(agent)
    }
}
