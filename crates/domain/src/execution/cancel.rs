use serde_json::json;

use super::{Execution, ExecutionId, ExecutionService};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::event::Event;

/// Why an execution could not be cancelled.
#[derive(Debug, thiserror::Error)]
pub enum CancelExecutionError {
    /// Viewers cancel nothing.
    #[error("only technicians and admins may cancel commands")]
    Forbidden,
    /// No such execution.
    #[error("execution not found")]
    NotFound,
    /// Already sent or settled.
    #[error("only queued executions can be cancelled; this one is {0}")]
    NotQueued(&'static str),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl ExecutionService {
    /// Cancels a queued execution (once sent, it is the agent's).
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: ExecutionId,
    ) -> Result<Execution, CancelExecutionError> {
        if !actor.can(Capability::Operate) {
            return Err(CancelExecutionError::Forbidden);
        }
        if !actor.scope().is_all() {
            let execution = self
                .executions
                .find(id)
                .await?
                .ok_or(CancelExecutionError::NotFound)?;
            if !crate::agent::sees_agent(self.agents.as_ref(), actor, execution.agent).await? {
                return Err(CancelExecutionError::NotFound);
            }
        }
        if let Some(cancelled) = self.executions.cancel(id, self.clock.now()).await? {
            self.events.publish(Event::execution(&cancelled));
            let record = AuditRecord::by(actor, "execution.cancel")
                .target("execution", cancelled.id)
                .details(json!({
                    "agent_uuid": cancelled.agent.to_string(),
                    "action": cancelled.action,
                }));
            self.audit.record(record).await;
            return Ok(cancelled);
        }
        let current = self
            .executions
            .find(id)
            .await?
            .ok_or(CancelExecutionError::NotFound)?;
        Err(CancelExecutionError::NotQueued(current.status.as_str()))
    }
}
