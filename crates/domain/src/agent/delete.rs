use super::{AgentId, AgentService};
use crate::PortError;
use crate::audit::AuditRecord;
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
        if !super::sees_agent(self.agents.as_ref(), actor, id).await? {
            return Err(DeleteAgentError::NotFound);
        }
        if !self.agents.delete(id, self.clock.now()).await? {
            return Err(DeleteAgentError::NotFound);
        }
        self.connections.disconnect(id);
        tracing::info!(agent = %id, by = %actor.id(), "agent deleted; its certificates are revoked and its connection closed");
        let record = AuditRecord::by(actor, "agent.delete").target("agent", id);
        self.audit.record(record).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{actor, agent_services};
    use crate::user::Role;

    #[tokio::test]
    async fn a_deleted_agent_is_disconnected_wherever_it_is_connected() {
        let mut ports = agent_services();
        ports.agents.expect_delete().returning(|_, _| Ok(true));
        ports
            .connections
            .expect_disconnect()
            .times(1)
            .return_const(());
        let audit = ports.audit.clone();
        let id = AgentId(uuid::Uuid::new_v4());
        ports
            .service()
            .delete(&actor(1, Role::Admin), id)
            .await
            .unwrap();
        assert_eq!(audit.actions(), ["agent.delete"]);
    }

    #[tokio::test]
    async fn only_admins_delete_and_unknown_agents_are_not_found() {
        let ports = agent_services();
        let result = ports
            .service()
            .delete(&actor(1, Role::Technician), AgentId(uuid::Uuid::new_v4()))
            .await;
        assert!(matches!(result, Err(DeleteAgentError::Forbidden)));
        let mut ports = agent_services();
        ports.agents.expect_delete().returning(|_, _| Ok(false));
        let result = ports
            .service()
            .delete(&actor(1, Role::Admin), AgentId(uuid::Uuid::new_v4()))
            .await;
        assert!(matches!(result, Err(DeleteAgentError::NotFound)));
    }
}
