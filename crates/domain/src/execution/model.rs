use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use crate::agent::AgentId;
use crate::policy::PolicyRunId;
use crate::script::ScriptId;
use crate::user::UserId;

/// An execution's id; sent to the agent as the `request_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExecutionId(pub Uuid);

impl fmt::Display for ExecutionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ExecutionId {
    type Err = uuid::Error;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(value).map(Self)
    }
}

/// Identifies one WebSocket connection of an agent (an agent may reconnect; answers to
/// commands sent on a dropped connection are lost with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnectionId(pub Uuid);

/// Identifies one server process: every agent connection, and so every sent execution,
/// belongs to one. When a process dies, the others settle what it had sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProcessId(pub Uuid);

impl ProcessId {
    /// A fresh identity for a starting process.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }
}

impl Default for ProcessId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ProcessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where an execution stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExecutionStatus {
    /// Waiting for the agent.
    Queued,
    /// Sent; waiting for the answer.
    Sent,
    /// The agent answered that it worked.
    Completed,
    /// The agent answered that it failed, or the connection dropped before a mutating command
    /// was answered.
    Failed,
    /// No answer before the deadline.
    TimedOut,
    /// Never sent: the agent did not come online before the expiry.
    Expired,
    /// Cancelled while queued.
    Cancelled,
}

impl ExecutionStatus {
    /// Every status.
    pub const ALL: [Self; 7] = [
        Self::Queued,
        Self::Sent,
        Self::Completed,
        Self::Failed,
        Self::TimedOut,
        Self::Expired,
        Self::Cancelled,
    ];

    /// The public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::TimedOut => "timed_out",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
        }
    }
}

impl FromStr for ExecutionStatus {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| format!("unknown execution status {value:?}"))
    }
}

/// A command to one agent and what became of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Its id.
    pub id: ExecutionId,
    /// The agent.
    pub agent: AgentId,
    /// The agent action (`restart`, ...).
    pub action: String,
    /// The action's parameters, as sent.
    pub params: Value,
    /// Changes the machine: never re-sent after a lost connection.
    pub mutating: bool,
    /// Where it stands.
    pub status: ExecutionStatus,
    /// Who asked for it.
    pub created_by: Option<UserId>,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When it expires if never sent.
    pub expires_at: DateTime<Utc>,
    /// When it was (last) sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it times out once sent.
    pub deadline_at: Option<DateTime<Utc>>,
    /// When it reached its final status.
    pub completed_at: Option<DateTime<Utc>>,
    /// How often it was sent.
    pub attempts: u32,
    /// What the agent returned.
    pub result: Option<Value>,
    /// The agent's error text, or why the server gave up.
    pub error: Option<String>,
    /// The result was cut to the size limit.
    pub truncated: bool,
    /// The library script it runs.
    pub script: Option<ScriptId>,
    /// The policy run it belongs to.
    pub policy_run: Option<PolicyRunId>,
}

impl Execution {
    /// A script or policy execution that ended `failed`, `timed_out` or `expired`: what a
    /// [`Notification::RunFailed`](crate::notification::Notification::RunFailed) reports.
    pub fn is_failed_run(&self) -> bool {
        (self.script.is_some() || self.policy_run.is_some())
            && matches!(
                self.status,
                ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Expired
            )
    }
}

/// An execution about to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewExecution {
    /// Its id.
    pub id: ExecutionId,
    /// The agent.
    pub agent: AgentId,
    /// The agent action.
    pub action: String,
    /// Its parameters.
    pub params: Value,
    /// See [`Execution::mutating`].
    pub mutating: bool,
    /// How long the agent may take once it has it.
    pub timeout_seconds: u32,
    /// Who asked.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Expiry if never sent.
    pub expires_at: DateTime<Utc>,
    /// The library script it runs.
    pub script: Option<ScriptId>,
    /// The policy run it belongs to.
    pub policy_run: Option<PolicyRunId>,
}

/// How an answer settles an execution.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplyOutcome {
    /// `Completed` or `Failed`.
    pub status: ExecutionStatus,
    /// The result, size-capped.
    pub result: Option<Value>,
    /// The agent's error text.
    pub error: Option<String>,
    /// The result was cut.
    pub truncated: bool,
}
