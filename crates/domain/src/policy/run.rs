use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use super::crud::require;
use super::{
    Policy, PolicyId, PolicyRun, PolicyRunId, PolicyService, RunProgress, RunSummary, RunTrigger,
    UpdateCategory,
};
use crate::PortError;
use crate::agent::Target;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::execution::{ExecutionId, NewExecution, announce};
use crate::tenancy::Scope;
use crate::user::UserId;

/// The agent stops `execute_patches` after 10 minutes whatever the policy says (§3.1 rule 7);
/// its answer may take that long plus the network.
const PATCH_ANSWER_WITHIN: u32 = 600 + 15;

/// Options of a run started by hand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PolicyRunRequest {
    /// How long offline agents' patches wait (default 24 h).
    pub expires_in: Option<TimeDelta>,
}

/// Why a run could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RunPolicyError {
    /// Viewers run nothing.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such policy.
    #[error("policy not found")]
    NotFound,
    /// The targets select no approved agent.
    #[error("the policy's targets select no approved agent")]
    NoTargets,
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

/// What a run will do that its policy may not say: the agent installs every update whatever
/// the categories, reboots 60 s after any successful run when told to reboot at all, and
/// offline agents patch whenever they come back before the expiry.
pub(super) fn warnings(
    policy: &Policy,
    targets: &[Target],
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<String> {
    let definition = &policy.definition;
    let mut warnings = Vec::new();
    if definition.categories.len() < UpdateCategory::ALL.len() {
        let names: Vec<&str> = definition.categories.iter().map(|c| c.as_str()).collect();
        warnings.push(format!(
            "the agent ignores categories ({}): it installs every available update",
            names.join(", ")
        ));
    }
    let reboot = &definition.reboot;
    if reboot.sent_enabled() {
        warnings.push(format!(
            "reboot is enabled: the agent reboots each machine 60 s after every successful run that installed anything, whatever the condition ({}) says; delay_minutes ({}) and notify_user are not honoured",
            reboot.condition, reboot.delay_minutes
        ));
    }
    let offline = targets.iter().filter(|target| !target.online).count();
    if offline > 0 {
        warnings.push(format!(
            "{offline} of {} agents are offline: they patch when they reconnect, until {}",
            targets.len(),
            expires_at.to_rfc3339()
        ));
    }
    if let (Some(schedule), Some(window)) = (&definition.schedule, &definition.maintenance_window)
        && !window.contains(schedule.wall_clock(now))
    {
        warnings.push("the run started outside the policy's maintenance window".into());
    }
    if targets.is_empty() {
        warnings.push("the policy's targets select no approved agent".into());
    }
    warnings
}

fn patch_command(policy: &Policy, execution: ExecutionId) -> Value {
    let definition = &policy.definition;
    let reboot = &definition.reboot;
    let categories: Vec<&str> = definition.categories.iter().map(|c| c.as_str()).collect();
    json!({
        "execution_id": execution.to_string(),
        "policy_id": policy.id.to_string(),
        "patches": [],
        "categories": categories,
        "reboot_config": {
            "enabled": reboot.sent_enabled(),
            "condition": reboot.condition.as_str(),
            "delay_minutes": reboot.delay_minutes,
            "notify_user": reboot.notify_user,
        },
        "timeout_seconds": definition.timeout_seconds,
    })
}

/// How a run starts.
pub(super) struct Start {
    pub trigger: RunTrigger,
    pub slot: Option<DateTime<Utc>>,
    pub by: Option<UserId>,
    pub expires_at: DateTime<Utc>,
    pub now: DateTime<Utc>,
}

impl PolicyService {
    /// Stores a run of `policy` over `targets` with an `execute_patches` execution each, and
    /// wakes their agents.
    pub(super) async fn start(
        &self,
        policy: &Policy,
        targets: &[Target],
        start: Start,
    ) -> Result<RunSummary, PortError> {
        let run = PolicyRun {
            id: PolicyRunId(Uuid::now_v7()),
            policy: policy.id,
            trigger: start.trigger,
            slot: start.slot,
            created_by: start.by,
            created_at: start.now,
            expires_at: start.expires_at,
            target_count: u32::try_from(targets.len()).unwrap_or(u32::MAX),
            warnings: warnings(policy, targets, start.expires_at, start.now),
        };
        let new: Vec<NewExecution> = targets
            .iter()
            .map(|target| {
                let id = ExecutionId(Uuid::new_v4());
                NewExecution {
                    id,
                    agent: target.id,
                    action: "execute_patches".into(),
                    params: patch_command(policy, id),
                    mutating: true,
                    timeout_seconds: PATCH_ANSWER_WITHIN,
                    created_by: start.by,
                    created_at: start.now,
                    expires_at: start.expires_at,
                    script: None,
                    policy_run: Some(run.id),
                }
            })
            .collect();
        let executions = self.ports.policies.start_run(&run, &new).await?;
        announce(
            self.ports.waker.as_ref(),
            self.ports.events.as_ref(),
            &executions,
        );
        tracing::info!(policy = %policy.id, run = %run.id, trigger = %run.trigger, agents = executions.len(), "policy run started");
        Ok(RunSummary {
            progress: RunProgress {
                queued: run.target_count,
                ..RunProgress::default()
            },
            run,
        })
    }

    /// Runs a policy now on every agent it targets (technicians and admins), whether or not
    /// it is enabled and whatever its window; the run's warnings say what the agent will do.
    pub async fn execute(
        &self,
        actor: &Actor,
        id: PolicyId,
        request: PolicyRunRequest,
    ) -> Result<RunSummary, RunPolicyError> {
        require(actor, Capability::Operate).map_err(RunPolicyError::Forbidden)?;
        let expires_in =
            self.executions
                .expiry(request.expires_in)
                .ok_or(RunPolicyError::InvalidExpiry {
                    max_seconds: self.executions.max_expiry.num_seconds(),
                })?;
        let policy = self
            .ports
            .policies
            .find(id)
            .await?
            .ok_or(RunPolicyError::NotFound)?;
        let targets = self
            .ports
            .agents
            .select(&Scope::All, &policy.definition.targets)
            .await?;
        if targets.is_empty() {
            return Err(RunPolicyError::NoTargets);
        }
        let now = self.ports.clock.now();
        let start = Start {
            trigger: RunTrigger::Manual,
            slot: None,
            by: Some(actor.id()),
            expires_at: now + expires_in,
            now,
        };
        let summary = self.start(&policy, &targets, start).await?;
        let record = AuditRecord::by(actor, "policy.execute")
            .target("policy", id)
            .details(
                json!({"run_id": summary.run.id.to_string(), "agents": summary.run.target_count}),
            );
        self.ports.audit.record(record).await;
        Ok(summary)
    }
}
