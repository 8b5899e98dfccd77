use serde_json::json;

use super::{Agent, AgentId, AgentService, AgentStatus};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};

/// Why an agent could not be approved or rejected.
#[derive(Debug, thiserror::Error)]
pub enum ReviewAgentError {
    /// Only admins approve and reject agents.
    #[error("only admins may approve or reject agents")]
    Forbidden,
    /// No such agent.
    #[error("agent not found")]
    NotFound,
    /// Approving an agent that is already approved (online or offline), rejecting one that is
    /// not pending, or the agent's status changed between reading and writing it.
    #[error("{0}")]
    InvalidState(&'static str),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AgentService {
    /// Approves a pending (or previously rejected) agent; it can then fetch its certificate.
    pub async fn approve(&self, actor: &Actor, id: AgentId) -> Result<Agent, ReviewAgentError> {
        self.review(actor, id, "agent.approve", |status| match status {
            AgentStatus::Pending | AgentStatus::Rejected => Ok(AgentStatus::Offline),
            AgentStatus::Online | AgentStatus::Offline => Err(ReviewAgentError::InvalidState(
                "the agent is already approved",
            )),
        })
        .await
    }

    /// Rejects a pending agent; its next poll tells it so. (Approved agents are deleted instead.)
    pub async fn reject(&self, actor: &Actor, id: AgentId) -> Result<Agent, ReviewAgentError> {
        self.review(actor, id, "agent.reject", |status| match status {
            AgentStatus::Pending => Ok(AgentStatus::Rejected),
            AgentStatus::Rejected => Err(ReviewAgentError::InvalidState(
                "the agent is already rejected",
            )),
            AgentStatus::Online | AgentStatus::Offline => Err(ReviewAgentError::InvalidState(
                "the agent is approved; delete it to remove it",
            )),
        })
        .await
    }

    async fn review(
        &self,
        actor: &Actor,
        id: AgentId,
        action: &'static str,
        next: impl Fn(AgentStatus) -> Result<AgentStatus, ReviewAgentError>,
    ) -> Result<Agent, ReviewAgentError> {
        if !actor.can(Capability::Administer) {
            return Err(ReviewAgentError::Forbidden);
        }
        let current = super::visible(self.agents.as_ref(), actor, id)
            .await?
            .ok_or(ReviewAgentError::NotFound)?
            .agent
            .status;
        let to = next(current)?;
        let now = self.clock.now();
        let agent = self
            .agents
            .transition(id, current, to, Some(actor.id()), now)
            .await?
            .ok_or(ReviewAgentError::InvalidState(
                "the agent changed meanwhile; try again",
            ))?;
        tracing::info!(agent = %id, from = current.as_str(), to = to.as_str(), by = %actor.id(), "agent reviewed");
        let record = AuditRecord::by(actor, action)
            .target("agent", agent.id)
            .details(json!({"hostname": agent.facts.hostname.as_str()}));
        self.audit.record(record).await;
        Ok(agent)
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::{always, eq};

    use super::*;
    use crate::test_support::{actor, agent_services, stored_agent};
    use crate::user::Role;

    #[tokio::test]
    async fn admins_approve_pending_agents() {
        let mut ports = agent_services();
        ports
            .agents
            .expect_find()
            .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Pending))));
        ports
            .agents
            .expect_transition()
            .with(
                always(),
                eq(AgentStatus::Pending),
                eq(AgentStatus::Offline),
                eq(Some(crate::user::UserId(1))),
                always(),
            )
            .times(1)
            .returning(|id, _, to, _, _| Ok(Some(stored_agent(id, to).agent)));
        let agent = ports
            .service()
            .approve(&actor(1, Role::Admin), AgentId(uuid::Uuid::nil()))
            .await
            .unwrap();
        assert_eq!(agent.status, AgentStatus::Offline);
    }

    #[tokio::test]
    async fn approved_agents_are_neither_approved_again_nor_rejected() {
        let mut ports = agent_services();
        ports
            .agents
            .expect_find()
            .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Online))));
        let service = ports.service();
        let admin = actor(1, Role::Admin);
        let id = AgentId(uuid::Uuid::nil());
        assert!(matches!(
            service.approve(&admin, id).await,
            Err(ReviewAgentError::InvalidState(_))
        ));
        assert!(matches!(
            service.reject(&admin, id).await,
            Err(ReviewAgentError::InvalidState(_))
        ));
    }

    #[tokio::test]
    async fn technicians_do_not_review_agents() {
        let ports = agent_services();
        let result = ports
            .service()
            .approve(&actor(1, Role::Technician), AgentId(uuid::Uuid::nil()))
            .await;
        assert!(matches!(result, Err(ReviewAgentError::Forbidden)));
    }
}
