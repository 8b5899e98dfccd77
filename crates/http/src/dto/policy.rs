use chrono::{DateTime, Utc};
use serde::Serialize;
use slimrmm_domain::policy::{Policy, PolicyScan, RebootPolicy, RunProgress, RunSummary, day_name};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ExecutionResponse;

/// Which agents a policy patches.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetsResponse {
    /// Every approved agent.
    pub all: bool,
    /// These agents.
    pub agent_uuids: Vec<Uuid>,
    /// Agents with any of these tags.
    pub tags: Vec<String>,
    /// Only these systems (narrows the others; alone, every agent on them).
    #[schema(example = json!(["linux"]))]
    pub os: Vec<&'static str>,
}

/// Reboot settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct RebootResponse {
    /// Reboot at all.
    pub enabled: bool,
    /// `always`, `kernel_only`, `if_required` or `never`.
    #[schema(example = "if_required")]
    pub condition: &'static str,
    /// Minutes to wait first (not honoured by the agent today).
    pub delay_minutes: u32,
    /// Warn logged-in users (not honoured by the agent today).
    pub notify_user: bool,
}

impl From<RebootPolicy> for RebootResponse {
    fn from(reboot: RebootPolicy) -> Self {
        Self {
            enabled: reboot.enabled,
            condition: reboot.condition.as_str(),
            delay_minutes: reboot.delay_minutes,
            notify_user: reboot.notify_user,
        }
    }
}

/// When a policy runs by itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleResponse {
    /// Five-field cron expression.
    #[schema(example = "0 3 * * SUN")]
    pub cron: String,
    /// IANA time zone it is read in.
    #[schema(example = "Europe/Berlin")]
    pub timezone: &'static str,
}

/// When the schedule may fire.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowResponse {
    /// Days it opens on (`mon` ... `sun`); empty: every day.
    #[schema(example = json!(["sat", "sun"]))]
    pub days: Vec<&'static str>,
    /// Opens (`HH:MM`, the schedule's zone).
    #[schema(example = "01:00")]
    pub start: String,
    /// Closes (`HH:MM`; before `start`: the next day).
    #[schema(example = "05:00")]
    pub end: String,
}

/// A patch policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyResponse {
    /// Identifier.
    pub id: Uuid,
    /// Unique name.
    pub name: String,
    /// For people.
    pub description: Option<String>,
    /// Whether its schedule fires (a manual run works either way).
    pub enabled: bool,
    /// The agents it patches.
    pub targets: TargetsResponse,
    /// Update classes asked for (`security`, `kernel`, `standard`); the agent installs every
    /// available update today.
    pub categories: Vec<&'static str>,
    /// Reboot settings.
    pub reboot: RebootResponse,
    /// When it runs by itself.
    pub schedule: Option<ScheduleResponse>,
    /// The schedule only fires inside it.
    pub maintenance_window: Option<WindowResponse>,
    /// Sent to the agent (which stops every run after 600 s).
    pub timeout_seconds: u32,
    /// The next slot its schedule fires at.
    pub next_run_at: Option<DateTime<Utc>>,
    /// Who created it.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Policy> for PolicyResponse {
    fn from(policy: Policy) -> Self {
        let definition = policy.definition;
        let targets = definition.targets;
        Self {
            id: policy.id.0,
            name: definition.name.to_string(),
            description: definition.description,
            enabled: definition.enabled,
            targets: TargetsResponse {
                all: targets.all,
                agent_uuids: targets.agents.iter().map(|agent| agent.0).collect(),
                tags: targets.tags.iter().map(ToString::to_string).collect(),
                os: targets.os.iter().map(|os| os.as_str()).collect(),
            },
            categories: definition.categories.iter().map(|c| c.as_str()).collect(),
            reboot: definition.reboot.into(),
            schedule: definition
                .schedule
                .as_ref()
                .map(|schedule| ScheduleResponse {
                    cron: schedule.expression().to_owned(),
                    timezone: schedule.timezone(),
                }),
            maintenance_window: definition.maintenance_window.map(|window| WindowResponse {
                days: window.days().iter().map(|day| day_name(*day)).collect(),
                start: window.start().format("%H:%M").to_string(),
                end: window.end().format("%H:%M").to_string(),
            }),
            timeout_seconds: definition.timeout_seconds,
            next_run_at: policy.next_run_at,
            created_by: policy.created_by.map(|user| user.0),
            created_at: policy.created_at,
            updated_at: policy.updated_at,
        }
    }
}

/// How far a run has come.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressResponse {
    /// Agents targeted.
    pub total: u32,
    /// Waiting for their agent.
    pub queued: u32,
    /// Running on their agent.
    pub sent: u32,
    /// Patched.
    pub completed: u32,
    /// Failed on the agent, or lost with its connection.
    pub failed: u32,
    /// No answer in time.
    pub timed_out: u32,
    /// The agent never came online in time.
    pub expired: u32,
    /// Cancelled before they were sent.
    pub cancelled: u32,
    /// Updates installed, over all agents.
    pub patches_installed: u64,
    /// Updates that failed, over all agents.
    pub patches_failed: u64,
    /// Agents that report a reboot is required.
    pub reboot_required: u32,
}

impl From<RunProgress> for ProgressResponse {
    fn from(progress: RunProgress) -> Self {
        Self {
            total: progress.total(),
            queued: progress.queued,
            sent: progress.sent,
            completed: progress.completed,
            failed: progress.failed,
            timed_out: progress.timed_out,
            expired: progress.expired,
            cancelled: progress.cancelled,
            patches_installed: progress.patches_installed,
            patches_failed: progress.patches_failed,
            reboot_required: progress.reboot_required,
        }
    }
}

/// One run of a policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyRunResponse {
    /// Identifier.
    pub id: Uuid,
    /// The policy.
    pub policy_id: Uuid,
    /// `manual` or `schedule`.
    pub trigger: &'static str,
    /// The schedule slot it ran for.
    pub slot: Option<DateTime<Utc>>,
    /// `running`, `completed`, `completed_with_errors` or `failed`.
    #[schema(example = "running")]
    pub status: &'static str,
    /// Counts by execution status, and patch totals.
    pub progress: ProgressResponse,
    /// What the agent will do that the policy may not say: read them before a reboot
    /// surprises anyone.
    pub warnings: Vec<String>,
    /// Who started it (none: the schedule).
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Offline agents' patches expire then.
    pub expires_at: DateTime<Utc>,
}

impl From<RunSummary> for PolicyRunResponse {
    fn from(summary: RunSummary) -> Self {
        let run = summary.run;
        Self {
            id: run.id.0,
            policy_id: run.policy.0,
            trigger: run.trigger.as_str(),
            slot: run.slot,
            status: summary.progress.status().as_str(),
            progress: summary.progress.into(),
            warnings: run.warnings,
            created_by: run.created_by.map(|user| user.0),
            created_at: run.created_at,
            expires_at: run.expires_at,
        }
    }
}

/// One agent's part of a run.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentPatchResult {
    /// The agent.
    pub agent_uuid: Uuid,
    /// Its `execute_patches` execution.
    pub execution_id: Uuid,
    /// The execution's status.
    #[schema(example = "completed")]
    pub status: &'static str,
    /// Updates installed, as the agent lists them (`name`, `version`, `kb`, `status`).
    #[schema(value_type = Vec<Object>)]
    pub patches_installed: Vec<serde_json::Value>,
    /// Updates that failed.
    #[schema(value_type = Vec<Object>)]
    pub patches_failed: Vec<serde_json::Value>,
    /// The agent says a reboot is required.
    pub reboot_required: bool,
    /// The package manager's output.
    pub output: Option<String>,
    /// Its error output.
    pub error_output: Option<String>,
    /// How long it took.
    pub duration_ms: Option<u64>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// When it finished.
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<ExecutionResponse> for AgentPatchResult {
    fn from(execution: ExecutionResponse) -> Self {
        let result = execution.result.unwrap_or_default();
        let list = |key: &str| {
            result
                .get(key)
                .and_then(serde_json::Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let text = |key: &str| {
            result
                .get(key)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        Self {
            agent_uuid: execution.agent_uuid,
            execution_id: execution.id,
            status: execution.status,
            patches_installed: list("patches_installed"),
            patches_failed: list("patches_failed"),
            reboot_required: result
                .get("reboot_required")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            output: text("output"),
            error_output: text("error_output"),
            duration_ms: result
                .get("duration_ms")
                .and_then(serde_json::Value::as_u64),
            error: execution.error,
            completed_at: execution.completed_at,
        }
    }
}

/// A scan queued on a policy's agents.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyScanResponse {
    /// The policy.
    pub policy_id: Uuid,
    /// Agents asked.
    pub queued: usize,
    /// How many are offline (theirs wait).
    pub offline: usize,
    /// One `get_available_updates` each; the answers become each agent's
    /// `GET /api/v1/agents/{uuid}/updates`.
    pub executions: Vec<ExecutionResponse>,
}

impl From<PolicyScan> for PolicyScanResponse {
    fn from(scan: PolicyScan) -> Self {
        Self {
            policy_id: scan.policy.0,
            queued: scan.executions.len(),
            offline: scan.offline,
            executions: scan
                .executions
                .into_iter()
                .map(ExecutionResponse::from)
                .collect(),
        }
    }
}
