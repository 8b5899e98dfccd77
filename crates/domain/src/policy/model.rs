use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{MaintenanceWindow, Schedule};
use crate::agent::AgentSelector;
use crate::text::Name;
use crate::user::UserId;

/// A patch policy's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyId(pub Uuid);

impl fmt::Display for PolicyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One run of a policy's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PolicyRunId(pub Uuid);

impl fmt::Display for PolicyRunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name the API and the agent use.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(value: &str) -> Result<Self, String> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|item| item.as_str() == value)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|item| item.as_str()).collect();
                        format!("must be one of: {}", names.join(", "))
                    })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// A class of updates, as the agent reports them.
    UpdateCategory {
        /// Security fixes.
        Security => "security",
        /// Kernel packages.
        Kernel => "kernel",
        /// Everything else.
        Standard => "standard",
    }
);

named_enum!(
    /// When a run should reboot the machine.
    RebootCondition {
        /// After every run.
        Always => "always",
        /// When a kernel package was updated.
        KernelOnly => "kernel_only",
        /// When the system says a reboot is required.
        IfRequired => "if_required",
        /// Never.
        Never => "never",
    }
);

named_enum!(
    /// What started a run.
    RunTrigger {
        /// A user, through the API.
        Manual => "manual",
        /// The policy's schedule.
        Schedule => "schedule",
    }
);

/// A policy's reboot settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebootPolicy {
    /// Reboot at all.
    pub enabled: bool,
    /// When.
    pub condition: RebootCondition,
    /// Minutes to wait first (0 to 1,440).
    pub delay_minutes: u32,
    /// Warn logged-in users.
    pub notify_user: bool,
}

impl RebootPolicy {
    /// Whether the agent is told to reboot: only when enabled and the condition is not
    /// `never`. (The agent then reboots 60 s after any successful run with output, whatever
    /// the condition.)
    pub fn sent_enabled(&self) -> bool {
        self.enabled && self.condition != RebootCondition::Never
    }
}

impl Default for RebootPolicy {
    fn default() -> Self {
        Self {
            enabled: false,
            condition: RebootCondition::Never,
            delay_minutes: 0,
            notify_user: true,
        }
    }
}

/// What a policy is, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDefinition {
    /// Unique name.
    pub name: Name,
    /// For people.
    pub description: Option<String>,
    /// Whether its schedule fires.
    pub enabled: bool,
    /// The agents it patches.
    pub targets: AgentSelector,
    /// The classes of updates it asks for (the agent installs all of them today).
    pub categories: Vec<UpdateCategory>,
    /// Reboot settings.
    pub reboot: RebootPolicy,
    /// When it runs by itself.
    pub schedule: Option<Schedule>,
    /// The schedule only fires inside it (in the schedule's time zone).
    pub maintenance_window: Option<MaintenanceWindow>,
    /// Sent to the agent (which stops every run after 10 minutes).
    pub timeout_seconds: u32,
}

/// A patch-management policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Its id.
    pub id: PolicyId,
    /// What it is.
    pub definition: PolicyDefinition,
    /// The next slot its schedule fires at (none when disabled or unscheduled).
    pub next_run_at: Option<DateTime<Utc>>,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// One run of a policy: an `execute_patches` execution per targeted agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRun {
    /// Its id.
    pub id: PolicyRunId,
    /// The policy.
    pub policy: PolicyId,
    /// What started it.
    pub trigger: RunTrigger,
    /// The schedule slot it ran for.
    pub slot: Option<DateTime<Utc>>,
    /// The user who started it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Offline agents' executions expire then.
    pub expires_at: DateTime<Utc>,
    /// Agents targeted.
    pub target_count: u32,
    /// What the agent will do that the policy may not say (see the API documentation).
    pub warnings: Vec<String>,
}

/// How far a run has come, counted from its executions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunProgress {
    /// Waiting for their agent.
    pub queued: u32,
    /// Running on their agent.
    pub sent: u32,
    /// Finished successfully.
    pub completed: u32,
    /// Failed on the agent or lost with the connection.
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

named_enum!(
    /// Where a run stands as a whole.
    RunStatus {
        /// Some agents have not answered yet.
        Running => "running",
        /// Every agent patched without a failure.
        Completed => "completed",
        /// Some agents failed, some succeeded.
        CompletedWithErrors => "completed_with_errors",
        /// No agent succeeded.
        Failed => "failed",
    }
);

impl RunProgress {
    /// Executions counted.
    pub fn total(&self) -> u32 {
        self.queued
            + self.sent
            + self.completed
            + self.failed
            + self.timed_out
            + self.expired
            + self.cancelled
    }

    /// The run's status.
    pub fn status(&self) -> RunStatus {
        let unsuccessful = self.failed + self.timed_out + self.expired + self.cancelled;
        if self.queued + self.sent > 0 {
            RunStatus::Running
        } else if unsuccessful == 0 && self.patches_failed == 0 {
            RunStatus::Completed
        } else if self.completed > 0 {
            RunStatus::CompletedWithErrors
        } else {
            RunStatus::Failed
        }
    }
}

/// A run with its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    /// The run.
    pub run: PolicyRun,
    /// Its progress.
    pub progress: RunProgress,
}
