use chrono::TimeDelta;
use serde_json::json;
use uuid::Uuid;

use super::{Command, Execution, ExecutionId, ExecutionService, NewExecution, announce};
use crate::PortError;
use crate::agent::AgentId;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};

/// Why a command could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum CreateExecutionError {
    /// Viewers send no commands.
    #[error("only technicians and admins may send commands")]
    Forbidden,
    /// No such agent.
    #[error("agent not found")]
    AgentNotFound,
    /// The agent is pending or rejected.
    #[error("the agent is not approved")]
    AgentNotApproved,
    /// `expires_in` is under one second or over the configured maximum
    /// (`ExecutionSettings::max_expiry`, 7 days by default).
    #[error("expires_in must be between 1 second and {max_seconds} seconds")]
    InvalidExpiry {
        /// The largest accepted.
        max_seconds: i64,
    },
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl ExecutionService {
    /// Queues `command` for the agent and wakes the process holding its connection. It is sent
    /// at once if the agent is online, else when it connects, unless it expires first.
    pub async fn create(
        &self,
        actor: &Actor,
        agent: AgentId,
        command: Command,
        expires_in: Option<TimeDelta>,
    ) -> Result<Execution, CreateExecutionError> {
        if !actor.can(Capability::Operate) {
            return Err(CreateExecutionError::Forbidden);
        }
        let expires_in =
            self.settings
                .expiry(expires_in)
                .ok_or(CreateExecutionError::InvalidExpiry {
                    max_seconds: self.settings.max_expiry.num_seconds(),
                })?;
        let stored = crate::agent::visible(self.agents.as_ref(), actor, agent)
            .await?
            .ok_or(CreateExecutionError::AgentNotFound)?;
        if !stored.agent.status.is_approved() {
            return Err(CreateExecutionError::AgentNotApproved);
        }
        let now = self.clock.now();
        let new = NewExecution {
            id: ExecutionId(Uuid::new_v4()),
            agent,
            action: command.action().to_owned(),
            params: command.params(),
            mutating: command.is_mutating(),
            timeout_seconds: u32::try_from(command.answer_within().num_seconds())
                .unwrap_or(u32::MAX),
            created_by: Some(actor.id()),
            created_at: now,
            expires_at: now + expires_in,
            script: None,
            policy_run: None,
        };
        let execution = self.executions.create(&new).await?;
        tracing::info!(execution = %execution.id, agent = %agent, action = %execution.action, by = %actor.id(), "command queued");
        announce(
            self.waker.as_ref(),
            self.events.as_ref(),
            std::slice::from_ref(&execution),
        );
        let record = AuditRecord::by(actor, "agent.command")
            .target("agent", execution.agent)
            .details(json!({"action": execution.action, "execution_id": execution.id.to_string()}));
        self.audit.record(record).await;
        Ok(execution)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::AgentStatus;
    use crate::test_support::{actor, execution_services, queued, stored_agent};
    use crate::user::Role;

    #[tokio::test]
    async fn a_command_for_an_approved_agent_is_queued_and_its_agent_woken() {
        let mut ports = execution_services();
        let agent = AgentId(Uuid::new_v4());
        ports
            .agents
            .expect_find()
            .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Offline))));
        ports.executions.expect_create().times(1).returning(|new| {
            assert!(new.mutating);
            assert_eq!(new.expires_at - new.created_at, TimeDelta::hours(24));
            Ok(queued(new))
        });
        ports
            .waker
            .expect_wake()
            .withf(move |woken| *woken == agent)
            .times(1)
            .return_const(());
        let command = Command::Restart {
            force: false,
            delay: 0,
        };
        let audit = ports.audit.clone();
        let execution = ports
            .service()
            .create(&actor(1, Role::Technician), agent, command, None)
            .await
            .unwrap();
        assert_eq!(execution.action, "restart");
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(record.action, "agent.command");
        assert_eq!(
            record.target.map(|target| target.id),
            Some(agent.to_string())
        );
        assert_eq!(record.details["action"], "restart");
    }

    #[tokio::test]
    async fn viewers_pending_agents_and_silly_expiries_are_refused() {
        let ports = execution_services();
        let agent = AgentId(Uuid::new_v4());
        let service = ports.service();
        let result = service
            .create(&actor(1, Role::Viewer), agent, Command::Ping, None)
            .await;
        assert!(matches!(result, Err(CreateExecutionError::Forbidden)));
        let result = service
            .create(
                &actor(1, Role::Admin),
                agent,
                Command::Ping,
                Some(TimeDelta::days(30)),
            )
            .await;
        assert!(matches!(
            result,
            Err(CreateExecutionError::InvalidExpiry { .. })
        ));

        let mut ports = execution_services();
        ports
            .agents
            .expect_find()
            .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Pending))));
        let result = ports
            .service()
            .create(&actor(1, Role::Admin), agent, Command::Ping, None)
            .await;
        assert!(matches!(
            result,
            Err(CreateExecutionError::AgentNotApproved)
        ));
    }
}
