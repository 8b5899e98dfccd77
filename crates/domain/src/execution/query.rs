use super::{Execution, ExecutionId, ExecutionService, ExecutionStatus};
use crate::PortError;
use crate::agent::AgentId;
use crate::auth::{Actor, Capability};
use crate::list::{ListQuery, Page};
use crate::policy::PolicyRunId;
use crate::script::ScriptId;

crate::sort_key! {
    /// The fields an execution list can be sorted by.
    pub enum ExecutionSort default CreatedAt {
        /// When it was asked for.
        CreatedAt => "created_at",
    }
}

/// Filters of the execution list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    /// Only this agent's.
    pub agent: Option<AgentId>,
    /// Only in this status.
    pub status: Option<ExecutionStatus>,
    /// Only this action.
    pub action: Option<String>,
    /// Only runs of this library script.
    pub script: Option<ScriptId>,
    /// Only this policy run's.
    pub policy_run: Option<PolicyRunId>,
}

/// A request for one page of executions.
pub type ExecutionListQuery = ListQuery<ExecutionSort, ExecutionFilter>;

/// Why executions could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListExecutionsError {
    /// The caller may not read executions.
    #[error("you may not read executions")]
    Forbidden,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Why an execution could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GetExecutionError {
    /// The caller may not read executions.
    #[error("you may not read executions")]
    Forbidden,
    /// No such execution.
    #[error("execution not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl ExecutionService {
    /// One page of executions (every role may read).
    pub async fn list(
        &self,
        actor: &Actor,
        query: &ExecutionListQuery,
    ) -> Result<Page<Execution>, ListExecutionsError> {
        if !actor.can(Capability::Read) {
            return Err(ListExecutionsError::Forbidden);
        }
        Ok(self.executions.list(actor.scope(), query).await?)
    }

    /// One execution with its result.
    pub async fn get(
        &self,
        actor: &Actor,
        id: ExecutionId,
    ) -> Result<Execution, GetExecutionError> {
        if !actor.can(Capability::Read) {
            return Err(GetExecutionError::Forbidden);
        }
        let execution = self
            .executions
            .find(id)
            .await?
            .ok_or(GetExecutionError::NotFound)?;
        if !crate::agent::sees_agent(self.agents.as_ref(), actor, execution.agent).await? {
            return Err(GetExecutionError::NotFound);
        }
        Ok(execution)
    }
}
