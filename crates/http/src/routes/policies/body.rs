//! The request bodies of policies.

use serde::Deserialize;
use slimrmm_domain::policy::{
    PolicyChanges, PolicyInput, RebootInput, ScheduleInput, TargetsInput, WindowInput,
};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::rules;

/// Which agents a policy patches: `all`, or agents by uuid and/or tag; `os` narrows either
/// (alone: every agent on those systems). Only approved agents are patched.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsBody {
    /// Every approved agent (cannot be combined with `agent_uuids` or `tags`).
    #[serde(default)]
    pub all: bool,
    /// These agents (at most 10,000).
    #[serde(default)]
    pub agent_uuids: Vec<Uuid>,
    /// Agents with any of these tags.
    #[serde(default)]
    #[schema(example = json!(["servers"]))]
    pub tags: Vec<String>,
    /// `linux`, `darwin`, `windows`.
    #[serde(default)]
    pub os: Vec<String>,
}

impl From<TargetsBody> for TargetsInput {
    fn from(body: TargetsBody) -> Self {
        Self {
            all: body.all,
            agent_uuids: body.agent_uuids,
            tags: body.tags,
            os: body.os,
        }
    }
}

/// Reboot settings. **The agent reboots each machine 60 s after every successful run that
/// installed anything whenever `enabled` is true and `condition` is not `never`**, whatever
/// the condition says; `delay_minutes` and `notify_user` are sent but not honoured today.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RebootBody {
    /// Reboot at all.
    pub enabled: bool,
    /// `always`, `kernel_only`, `if_required` or `never` (default `if_required` when
    /// enabled, else `never`).
    pub condition: Option<String>,
    /// 0 to 1,440 (default 0).
    #[schema(minimum = 0, maximum = 1440)]
    pub delay_minutes: Option<i64>,
    /// Default true.
    pub notify_user: Option<bool>,
}

impl From<RebootBody> for RebootInput {
    fn from(body: RebootBody) -> Self {
        let default = if body.enabled { "if_required" } else { "never" };
        Self {
            enabled: body.enabled,
            condition: body.condition.unwrap_or_else(|| default.to_owned()),
            delay_minutes: body.delay_minutes.unwrap_or(0),
            notify_user: body.notify_user.unwrap_or(true),
        }
    }
}

/// When a policy runs by itself.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// Five fields: minute hour day-of-month month day-of-week (`MON`, `@daily` work).
    #[schema(example = "0 3 * * SUN")]
    pub cron: String,
    /// IANA time zone (default `UTC`).
    #[schema(example = "Europe/Berlin")]
    pub timezone: Option<String>,
}

impl From<ScheduleBody> for ScheduleInput {
    fn from(body: ScheduleBody) -> Self {
        Self {
            cron: body.cron,
            timezone: body.timezone.unwrap_or_else(|| "UTC".to_owned()),
        }
    }
}

/// The schedule only fires inside this window, read in the schedule's time zone. A run the
/// schedule starts also lets offline agents patch only until the window closes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowBody {
    /// The days it opens on (`mon` ... `sun`); absent or empty: every day.
    #[serde(default)]
    pub days: Vec<String>,
    /// `HH:MM`.
    #[schema(example = "01:00")]
    pub start: String,
    /// `HH:MM`; before `start`, the window runs into the next day.
    #[schema(example = "05:00")]
    pub end: String,
}

impl From<WindowBody> for WindowInput {
    fn from(body: WindowBody) -> Self {
        Self {
            days: body.days,
            start: body.start,
            end: body.end,
        }
    }
}

/// A new policy.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePolicyBody {
    /// 1 to 128 characters, unique without regard to case.
    #[schema(example = "Servers: weekly patching")]
    pub name: String,
    /// Up to 2,000 characters.
    pub description: Option<String>,
    /// Whether the schedule fires (default true).
    pub enabled: Option<bool>,
    /// The agents.
    pub targets: TargetsBody,
    /// `security`, `kernel`, `standard` (default all three). **The agent ignores this today
    /// and installs every available update.**
    pub categories: Option<Vec<String>>,
    /// Reboot settings (default: no reboot).
    pub reboot: Option<RebootBody>,
    /// When it runs by itself (none: only by hand).
    pub schedule: Option<ScheduleBody>,
    /// The schedule only fires inside it (needs a schedule).
    pub maintenance_window: Option<WindowBody>,
    /// 60 to 600 seconds (default 600; the agent stops every run after 600 s).
    #[schema(minimum = 60, maximum = 600)]
    pub timeout_seconds: Option<i64>,
}

impl From<CreatePolicyBody> for PolicyInput {
    fn from(body: CreatePolicyBody) -> Self {
        Self {
            name: body.name,
            description: body.description,
            enabled: body.enabled.unwrap_or(true),
            targets: body.targets.into(),
            categories: body.categories,
            reboot: body.reboot.map(Into::into),
            schedule: body.schedule.map(Into::into),
            maintenance_window: body.maintenance_window.map(Into::into),
            timeout_seconds: body.timeout_seconds,
        }
    }
}

/// Changes to a policy: absent fields stay, present ones are replaced whole; `null` removes
/// `description`, `schedule` or `maintenance_window`. The result is checked as a whole.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePolicyBody {
    /// A new name.
    pub name: Option<String>,
    /// A new description, or `null`.
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Enable or disable the schedule.
    pub enabled: Option<bool>,
    /// New targets.
    pub targets: Option<TargetsBody>,
    /// New categories.
    pub categories: Option<Vec<String>>,
    /// New reboot settings.
    pub reboot: Option<RebootBody>,
    /// A new schedule, or `null`.
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<ScheduleBody>)]
    pub schedule: Option<Option<ScheduleBody>>,
    /// A new window, or `null`.
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<WindowBody>)]
    pub maintenance_window: Option<Option<WindowBody>>,
    /// A new timeout, 60 to 600 seconds.
    #[schema(minimum = 60, maximum = 600)]
    pub timeout_seconds: Option<i64>,
}

impl From<UpdatePolicyBody> for PolicyChanges {
    fn from(body: UpdatePolicyBody) -> Self {
        Self {
            name: body.name,
            description: body.description,
            enabled: body.enabled,
            targets: body.targets.map(Into::into),
            categories: body.categories,
            reboot: body.reboot.map(Into::into),
            schedule: body.schedule.map(|schedule| schedule.map(Into::into)),
            maintenance_window: body.maintenance_window.map(|window| window.map(Into::into)),
            timeout_seconds: body.timeout_seconds,
        }
    }
}

/// Options of a run started by hand.
#[derive(Debug, Default, Deserialize, serde::Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunPolicyBody {
    /// Seconds offline agents' patches wait (default 86400, at most 604800).
    #[schema(minimum = 1, maximum = 604800)]
    pub expires_in: Option<i64>,
}
