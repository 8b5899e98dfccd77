use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use slimrmm_domain::execution::Execution;
use utoipa::ToSchema;
use uuid::Uuid;

/// A command to an agent and what became of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExecutionResponse {
    /// Identifier (sent to the agent as `request_id`).
    pub id: Uuid,
    /// The agent.
    pub agent_uuid: Uuid,
    /// The agent action.
    #[schema(example = "restart")]
    pub action: String,
    /// Its parameters.
    #[schema(value_type = Object)]
    pub params: Value,
    /// Changes the machine (never re-sent after a lost connection).
    pub mutating: bool,
    /// `queued`, `sent`, `completed`, `failed`, `timed_out`, `expired` or `cancelled`.
    #[schema(example = "completed")]
    pub status: &'static str,
    /// Who asked for it.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Expiry if never sent.
    pub expires_at: DateTime<Utc>,
    /// When it was (last) sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it reached its final status.
    pub completed_at: Option<DateTime<Utc>>,
    /// How often it was sent.
    pub attempts: u32,
    /// What the agent returned. Scripts: `{status, exit_code, output, error_output,
    /// started_at, completed_at, duration_ms}` (outputs cut on their own when `truncated`);
    /// patches: `{status, patches_installed, patches_failed, reboot_required, output,
    /// error_output, duration_ms}`; otherwise the agent's data as sent, or a JSON string of the
    /// cut text when `truncated`.
    #[schema(value_type = Option<Object>)]
    pub result: Option<Value>,
    /// The agent's error, or why the server gave up.
    pub error: Option<String>,
    /// The result was cut to the size limit.
    pub truncated: bool,
    /// The library script it runs.
    pub script_id: Option<Uuid>,
    /// The policy run it belongs to.
    pub policy_run_id: Option<Uuid>,
}

impl From<Execution> for ExecutionResponse {
    fn from(execution: Execution) -> Self {
        Self {
            id: execution.id.0,
            agent_uuid: execution.agent.0,
            action: execution.action,
            params: execution.params,
            mutating: execution.mutating,
            status: execution.status.as_str(),
            created_by: execution.created_by.map(|user| user.0),
            created_at: execution.created_at,
            expires_at: execution.expires_at,
            sent_at: execution.sent_at,
            completed_at: execution.completed_at,
            attempts: execution.attempts,
            result: execution.result,
            error: execution.error,
            truncated: execution.truncated,
            script_id: execution.script.map(|script| script.0),
            policy_run_id: execution.policy_run.map(|run| run.0),
        }
    }
}
