use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use slimrmm_domain::PortError;
use slimrmm_domain::policy::{
    Policy, PolicyDefinition, PolicyId, PolicyInput, PolicyRun, PolicyRunId, RebootInput,
    ScheduleInput, TargetsInput, WindowInput,
};
use slimrmm_domain::user::UserId;
use uuid::Uuid;

use crate::error::corrupt;
use crate::schema::{policies, policy_runs};

/// The parts of a policy stored as one JSON document.
#[derive(Debug, Serialize, Deserialize)]
struct DefinitionDoc {
    all: bool,
    agent_uuids: Vec<Uuid>,
    tags: Vec<String>,
    os: Vec<String>,
    categories: Vec<String>,
    reboot_enabled: bool,
    reboot_condition: String,
    reboot_delay_minutes: i64,
    reboot_notify_user: bool,
    schedule: Option<(String, String)>,
    window: Option<(Vec<String>, String, String)>,
    timeout_seconds: i64,
}

fn document(definition: &PolicyDefinition) -> serde_json::Value {
    let input = PolicyInput::from(definition);
    let reboot = input.reboot.unwrap_or(RebootInput {
        enabled: false,
        condition: "never".into(),
        delay_minutes: 0,
        notify_user: true,
    });
    let doc = DefinitionDoc {
        all: input.targets.all,
        agent_uuids: input.targets.agent_uuids,
        tags: input.targets.tags,
        os: input.targets.os,
        categories: input.categories.unwrap_or_default(),
        reboot_enabled: reboot.enabled,
        reboot_condition: reboot.condition,
        reboot_delay_minutes: reboot.delay_minutes,
        reboot_notify_user: reboot.notify_user,
        schedule: input.schedule.map(|s| (s.cron, s.timezone)),
        window: input.maintenance_window.map(|w| (w.days, w.start, w.end)),
        timeout_seconds: input.timeout_seconds.unwrap_or(600),
    };
    serde_json::to_value(doc).unwrap_or_default()
}

/// A policy as stored.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = policies, check_for_backend(Pg))]
pub(super) struct PolicyRow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub enabled: bool,
    pub definition: serde_json::Value,
    pub next_run_at: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PolicyRow {
    pub(super) fn new(policy: &Policy) -> Self {
        let definition = &policy.definition;
        Self {
            id: policy.id.0,
            name: definition.name.to_string(),
            description: definition.description.clone(),
            enabled: definition.enabled,
            definition: document(definition),
            next_run_at: policy.next_run_at,
            created_by: policy.created_by.map(|user| user.0),
            created_at: policy.created_at,
            updated_at: policy.updated_at,
        }
    }

    pub(super) fn into_domain(self) -> Result<Policy, PortError> {
        let doc: DefinitionDoc =
            serde_json::from_value(self.definition).map_err(|e| corrupt("policy", e))?;
        let input = PolicyInput {
            name: self.name,
            description: self.description,
            enabled: self.enabled,
            targets: TargetsInput {
                all: doc.all,
                agent_uuids: doc.agent_uuids,
                tags: doc.tags,
                os: doc.os,
            },
            categories: Some(doc.categories),
            reboot: Some(RebootInput {
                enabled: doc.reboot_enabled,
                condition: doc.reboot_condition,
                delay_minutes: doc.reboot_delay_minutes,
                notify_user: doc.reboot_notify_user,
            }),
            schedule: doc
                .schedule
                .map(|(cron, timezone)| ScheduleInput { cron, timezone }),
            maintenance_window: doc.window.map(|(days, start, end)| WindowInput {
                days,
                start,
                end,
            }),
            timeout_seconds: Some(doc.timeout_seconds),
        };
        let definition = input.restore().map_err(|errors| {
            let fields: Vec<String> = errors.iter().map(ToString::to_string).collect();
            corrupt("policy", fields.join("; "))
        })?;
        Ok(Policy {
            id: PolicyId(self.id),
            definition,
            next_run_at: self.next_run_at,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A run as stored.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = policy_runs, check_for_backend(Pg))]
pub(super) struct RunRow {
    pub id: Uuid,
    pub policy_id: Uuid,
    pub trigger: String,
    pub slot: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub target_count: i32,
    pub warnings: Vec<String>,
}

impl RunRow {
    pub(super) fn new(run: &PolicyRun) -> Self {
        Self {
            id: run.id.0,
            policy_id: run.policy.0,
            trigger: run.trigger.as_str().to_owned(),
            slot: run.slot,
            created_by: run.created_by.map(|user| user.0),
            created_at: run.created_at,
            expires_at: run.expires_at,
            target_count: i32::try_from(run.target_count).unwrap_or(i32::MAX),
            warnings: run.warnings.clone(),
        }
    }

    pub(super) fn into_domain(self) -> Result<PolicyRun, PortError> {
        Ok(PolicyRun {
            id: PolicyRunId(self.id),
            policy: PolicyId(self.policy_id),
            trigger: self
                .trigger
                .parse()
                .map_err(|e: String| corrupt("run trigger", e))?,
            slot: self.slot,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            expires_at: self.expires_at,
            target_count: self.target_count.unsigned_abs(),
            warnings: self.warnings,
        })
    }
}
