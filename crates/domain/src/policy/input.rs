use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::window::day_name;
use super::{
    MaintenanceWindow, PolicyDefinition, RebootCondition, RebootPolicy, Schedule, UpdateCategory,
};
use crate::InvalidField;
use crate::agent::{AgentId, AgentOs, AgentSelector, Tag};
use crate::text::{self, Name};

/// The longest description.
pub const MAX_DESCRIPTION: usize = 2000;
/// The agent stops every handler after 10 minutes.
pub const MAX_TIMEOUT_SECONDS: u32 = 600;
/// At most this many agents listed by uuid.
pub const MAX_LISTED_AGENTS: usize = 10_000;

/// Which agents, as a caller wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetsInput {
    /// Every approved agent.
    pub all: bool,
    /// Agents by uuid.
    pub agent_uuids: Vec<Uuid>,
    /// Agents with any of these tags.
    pub tags: Vec<String>,
    /// Only these systems.
    pub os: Vec<String>,
}

/// Reboot settings, as a caller wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebootInput {
    /// Reboot at all.
    pub enabled: bool,
    /// `always`, `kernel_only`, `if_required` or `never`.
    pub condition: String,
    /// 0 to 1,440.
    pub delay_minutes: i64,
    /// Warn logged-in users.
    pub notify_user: bool,
}

/// A schedule, as a caller wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleInput {
    /// Five-field cron expression.
    pub cron: String,
    /// IANA time zone.
    pub timezone: String,
}

/// A maintenance window, as a caller wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowInput {
    /// `mon` ... `sun`; empty: every day.
    pub days: Vec<String>,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// A policy as a caller wrote it, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInput {
    /// Unique name.
    pub name: String,
    /// For people.
    pub description: Option<String>,
    /// Whether the schedule fires.
    pub enabled: bool,
    /// The agents.
    pub targets: TargetsInput,
    /// Update classes; absent: all three.
    pub categories: Option<Vec<String>>,
    /// Reboot settings; absent: no reboot.
    pub reboot: Option<RebootInput>,
    /// When it runs by itself.
    pub schedule: Option<ScheduleInput>,
    /// The schedule only fires inside it.
    pub maintenance_window: Option<WindowInput>,
    /// Sent to the agent; 600 when absent.
    pub timeout_seconds: Option<i64>,
}

/// Changes to a policy: `None` leaves a field alone, `Some(None)` removes an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new description, or none.
    pub description: Option<Option<String>>,
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// New targets.
    pub targets: Option<TargetsInput>,
    /// New categories.
    pub categories: Option<Vec<String>>,
    /// New reboot settings.
    pub reboot: Option<RebootInput>,
    /// A new schedule, or none.
    pub schedule: Option<Option<ScheduleInput>>,
    /// A new window, or none.
    pub maintenance_window: Option<Option<WindowInput>>,
    /// A new timeout.
    pub timeout_seconds: Option<i64>,
}

impl From<&PolicyDefinition> for PolicyInput {
    fn from(policy: &PolicyDefinition) -> Self {
        let names = |items: &mut dyn Iterator<Item = &str>| items.map(str::to_owned).collect();
        Self {
            name: policy.name.to_string(),
            description: policy.description.clone(),
            enabled: policy.enabled,
            targets: TargetsInput {
                all: policy.targets.all,
                agent_uuids: policy.targets.agents.iter().map(|agent| agent.0).collect(),
                tags: names(&mut policy.targets.tags.iter().map(Tag::as_str)),
                os: names(&mut policy.targets.os.iter().map(|os| os.as_str())),
            },
            categories: Some(names(&mut policy.categories.iter().map(|c| c.as_str()))),
            reboot: Some(RebootInput {
                enabled: policy.reboot.enabled,
                condition: policy.reboot.condition.as_str().to_owned(),
                delay_minutes: i64::from(policy.reboot.delay_minutes),
                notify_user: policy.reboot.notify_user,
            }),
            schedule: policy.schedule.as_ref().map(|schedule| ScheduleInput {
                cron: schedule.expression().to_owned(),
                timezone: schedule.timezone().to_owned(),
            }),
            maintenance_window: policy
                .maintenance_window
                .as_ref()
                .map(|window| WindowInput {
                    days: window
                        .days()
                        .iter()
                        .map(|d| day_name(*d).to_owned())
                        .collect(),
                    start: window.start().format("%H:%M").to_string(),
                    end: window.end().format("%H:%M").to_string(),
                }),
            timeout_seconds: Some(i64::from(policy.timeout_seconds)),
        }
    }
}

impl PolicyChanges {
    /// `current` with these changes, to be checked again as a whole.
    pub(crate) fn apply(self, current: &PolicyDefinition) -> PolicyInput {
        let mut input = PolicyInput::from(current);
        if let Some(name) = self.name {
            input.name = name;
        }
        if let Some(description) = self.description {
            input.description = description;
        }
        if let Some(enabled) = self.enabled {
            input.enabled = enabled;
        }
        if let Some(targets) = self.targets {
            input.targets = targets;
        }
        if let Some(categories) = self.categories {
            input.categories = Some(categories);
        }
        if let Some(reboot) = self.reboot {
            input.reboot = Some(reboot);
        }
        if let Some(schedule) = self.schedule {
            input.schedule = schedule;
        }
        if let Some(window) = self.maintenance_window {
            input.maintenance_window = window;
        }
        if let Some(timeout) = self.timeout_seconds {
            input.timeout_seconds = Some(timeout);
        }
        input
    }
}

fn listed<T>(
    field: &str,
    raw: &[String],
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut Vec<InvalidField>,
) -> Vec<T> {
    raw.iter()
        .enumerate()
        .filter_map(|(index, item)| {
            parse(item)
                .map_err(|message| {
                    errors.push(InvalidField::new(format!("{field}[{index}]"), message))
                })
                .ok()
        })
        .collect()
}

fn targets(input: &TargetsInput, errors: &mut Vec<InvalidField>) -> AgentSelector {
    let tags = listed(
        "targets.tags",
        &input.tags,
        |raw| Tag::parse(raw).map_err(|e| e.to_string()),
        errors,
    );
    let mut os = listed(
        "targets.os",
        &input.os,
        |raw| raw.parse::<AgentOs>().map_err(|e| e.to_string()),
        errors,
    );
    os.sort_by_key(|os| os.as_str());
    os.dedup();
    let mut agents: Vec<AgentId> = input.agent_uuids.iter().copied().map(AgentId).collect();
    agents.sort();
    agents.dedup();
    if agents.len() > MAX_LISTED_AGENTS {
        errors.push(InvalidField::new(
            "targets.agent_uuids",
            format!("at most {MAX_LISTED_AGENTS} agents; use tags for larger groups"),
        ));
    }
    if input.all && (!agents.is_empty() || !tags.is_empty()) {
        errors.push(InvalidField::new(
            "targets.all",
            "cannot be combined with agent_uuids or tags (os may narrow it)",
        ));
    }
    let selector = AgentSelector {
        all: input.all,
        agents,
        tags,
        os,
    };
    if selector.is_empty() && input.tags.is_empty() && input.os.is_empty() {
        errors.push(InvalidField::new(
            "targets",
            "must select agents: all, agent_uuids, tags or os",
        ));
    }
    selector
}

fn reboot(input: Option<&RebootInput>, errors: &mut Vec<InvalidField>) -> RebootPolicy {
    let Some(input) = input else {
        return RebootPolicy::default();
    };
    let condition = input
        .condition
        .parse::<RebootCondition>()
        .map_err(|message| errors.push(InvalidField::new("reboot.condition", message)))
        .unwrap_or(RebootCondition::Never);
    let delay_minutes = u32::try_from(input.delay_minutes)
        .ok()
        .filter(|minutes| *minutes <= 1440)
        .unwrap_or_else(|| {
            errors.push(InvalidField::new(
                "reboot.delay_minutes",
                "must be between 0 and 1440",
            ));
            0
        });
    RebootPolicy {
        enabled: input.enabled,
        condition,
        delay_minutes,
        notify_user: input.notify_user,
    }
}

impl PolicyInput {
    /// Checks every field, reporting every invalid one. `now` decides whether a schedule
    /// still fires inside its window.
    pub fn check(&self, now: DateTime<Utc>) -> Result<PolicyDefinition, Vec<InvalidField>> {
        self.validate(Some(now))
    }

    /// Reads back a definition that was checked when it was saved (whether its schedule still
    /// fires is not asked again).
    pub fn restore(&self) -> Result<PolicyDefinition, Vec<InvalidField>> {
        self.validate(None)
    }

    fn validate(&self, now: Option<DateTime<Utc>>) -> Result<PolicyDefinition, Vec<InvalidField>> {
        let mut errors = Vec::new();
        let name = Name::parse(&self.name)
            .map_err(|e| errors.push(InvalidField::new("name", e.to_string())))
            .ok();
        let description = match self.description.as_deref() {
            None => None,
            Some(raw) => text::description(raw, MAX_DESCRIPTION)
                .map_err(|e| errors.push(InvalidField::new("description", e.to_string())))
                .ok()
                .flatten(),
        };
        let targets = targets(&self.targets, &mut errors);
        let categories = match &self.categories {
            None => UpdateCategory::ALL.to_vec(),
            Some(raw) if raw.is_empty() => {
                errors.push(InvalidField::new(
                    "categories",
                    "must name at least one of: security, kernel, standard",
                ));
                Vec::new()
            }
            Some(raw) => {
                let listed = listed("categories", raw, str::parse, &mut errors);
                UpdateCategory::ALL
                    .iter()
                    .copied()
                    .filter(|category| listed.contains(category))
                    .collect()
            }
        };
        let reboot = reboot(self.reboot.as_ref(), &mut errors);
        let schedule = self.schedule.as_ref().and_then(|raw| {
            Schedule::parse("schedule", &raw.cron, &raw.timezone)
                .map_err(|e| errors.extend(e))
                .ok()
        });
        let window = self.maintenance_window.as_ref().and_then(|raw| {
            MaintenanceWindow::parse("maintenance_window", &raw.days, &raw.start, &raw.end)
                .map_err(|e| errors.extend(e))
                .ok()
        });
        if self.maintenance_window.is_some() && self.schedule.is_none() {
            errors.push(InvalidField::new(
                "maintenance_window",
                "needs a schedule: it only keeps the schedule from firing outside it, in the schedule's time zone",
            ));
        }
        if let (Some(schedule), Some(now)) = (&schedule, now)
            && schedule.next_slot(now, window.as_ref()).is_none()
        {
            errors.push(InvalidField::new(
                "schedule.cron",
                "never fires (inside the maintenance window) within five years",
            ));
        }
        let timeout_seconds = match self.timeout_seconds {
            None => MAX_TIMEOUT_SECONDS,
            Some(seconds) => u32::try_from(seconds)
                .ok()
                .filter(|s| (60..=MAX_TIMEOUT_SECONDS).contains(s))
                .unwrap_or_else(|| {
                    errors.push(InvalidField::new(
                        "timeout_seconds",
                        format!("must be between 60 and {MAX_TIMEOUT_SECONDS} seconds"),
                    ));
                    MAX_TIMEOUT_SECONDS
                }),
        };
        match name {
            Some(name) if errors.is_empty() => Ok(PolicyDefinition {
                name,
                description,
                enabled: self.enabled,
                targets,
                categories,
                reboot,
                schedule,
                maintenance_window: window,
                timeout_seconds,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests;
