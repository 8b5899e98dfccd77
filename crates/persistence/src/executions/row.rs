use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::execution::{Execution, ExecutionId};
use slimrmm_domain::policy::PolicyRunId;
use slimrmm_domain::script::ScriptId;
use slimrmm_domain::user::UserId;
use uuid::Uuid;

use crate::error::corrupt;
use crate::schema::executions;

#[derive(Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = executions, check_for_backend(diesel::pg::Pg))]
pub(crate) struct ExecutionRow {
    id: Uuid,
    agent_uuid: Uuid,
    action: String,
    params: Value,
    mutating: bool,
    status: String,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    deadline_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    attempts: i32,
    result: Option<Value>,
    error: Option<String>,
    truncated: bool,
    script_id: Option<Uuid>,
    policy_run_id: Option<Uuid>,
}

impl ExecutionRow {
    /// A copy as the domain's execution.
    pub(crate) fn to_domain(&self) -> Result<Execution, PortError> {
        Self {
            id: self.id,
            agent_uuid: self.agent_uuid,
            action: self.action.clone(),
            params: self.params.clone(),
            mutating: self.mutating,
            status: self.status.clone(),
            created_by: self.created_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            sent_at: self.sent_at,
            deadline_at: self.deadline_at,
            completed_at: self.completed_at,
            attempts: self.attempts,
            result: self.result.clone(),
            error: self.error.clone(),
            truncated: self.truncated,
            script_id: self.script_id,
            policy_run_id: self.policy_run_id,
        }
        .into_domain()
    }

    pub(crate) fn into_domain(self) -> Result<Execution, PortError> {
        Ok(Execution {
            id: ExecutionId(self.id),
            agent: AgentId(self.agent_uuid),
            action: self.action,
            params: self.params,
            mutating: self.mutating,
            status: self
                .status
                .parse()
                .map_err(|e| corrupt("execution status", e))?,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            expires_at: self.expires_at,
            sent_at: self.sent_at,
            deadline_at: self.deadline_at,
            completed_at: self.completed_at,
            attempts: self.attempts.unsigned_abs(),
            result: self.result,
            error: self.error,
            truncated: self.truncated,
            script: self.script_id.map(ScriptId),
            policy_run: self.policy_run_id.map(PolicyRunId),
        })
    }
}
