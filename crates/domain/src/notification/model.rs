use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::agent::{AgentId, Hostname};
use crate::alert::AlertId;
use crate::auth::OpaqueToken;
use crate::execution::{Execution, ExecutionId};
use crate::user::{Email, UserId, Username};

/// Something worth telling a person about. Each is written to the outbox in the same
/// transaction as the change that caused it, and delivered from there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A user asked to reset their password; the mail carries the single-use token.
    PasswordReset {
        /// The account the token belongs to.
        user_id: UserId,
        /// Its username, for the greeting.
        username: Username,
        /// Where the mail goes (only ever this user's own address).
        email: Email,
        /// The secret token (sealed at rest in the outbox).
        token: OpaqueToken,
        /// When the token stops working.
        expires_at: DateTime<Utc>,
    },
    /// An agent went offline (its connection dropped or it fell silent).
    AgentOffline {
        /// The agent.
        agent: AgentId,
        /// Its host name.
        hostname: Hostname,
        /// When.
        at: DateTime<Utc>,
    },
    /// An agent has been offline for long.
    AgentOverdue {
        /// The agent.
        agent: AgentId,
        /// Its host name.
        hostname: Hostname,
        /// When it was marked overdue.
        at: DateTime<Utc>,
    },
    /// An agent crossed a CPU, memory or disk threshold for a sustained time.
    ThresholdAlert {
        /// The stored alert.
        alert: AlertId,
        /// The agent.
        agent: AgentId,
        /// Its host name.
        hostname: Hostname,
        /// `cpu`, `memory` or `disk`.
        metric: String,
        /// How bad.
        severity: Severity,
        /// The agent's message.
        message: String,
        /// When it was raised.
        at: DateTime<Utc>,
    },
    /// A new agent enrolled and waits for an admin's approval.
    AgentPendingApproval {
        /// The agent.
        agent: AgentId,
        /// Its host name.
        hostname: Hostname,
        /// When it enrolled.
        at: DateTime<Utc>,
    },
    /// A script run or a policy run failed on an agent.
    RunFailed {
        /// The execution.
        execution: ExecutionId,
        /// The agent.
        agent: AgentId,
        /// Its host name.
        hostname: Hostname,
        /// What ran: `execute_script` or `execute_patches`.
        action: String,
        /// Its final status (`failed`, `timed_out`, `expired`).
        status: String,
        /// Why, as the agent or the server said.
        error: String,
        /// When it ended.
        at: DateTime<Utc>,
    },
}

macro_rules! names {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The public name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(value: &str) -> Result<Self, String> {
                Self::ALL.iter().copied().find(|item| item.as_str() == value).ok_or_else(|| {
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

names!(
    /// How urgent a notification is; integrations receive those at or above their minimum.
    Severity {
        /// For the record.
        Info => "info",
        /// Worth a look.
        Warning => "warning",
        /// Act now.
        Critical => "critical",
    }
);

names!(
    /// The kinds of notification.
    NotificationKind {
        /// A password-reset mail (always mail, to that user only).
        PasswordReset => "password_reset",
        /// An agent went offline.
        AgentOffline => "agent_offline",
        /// An agent has been offline for long.
        AgentOverdue => "agent_overdue",
        /// An agent's threshold alert.
        ThresholdAlert => "threshold_alert",
        /// A new agent waits for approval.
        AgentPendingApproval => "agent_pending_approval",
        /// A script or policy run failed on an agent.
        RunFailed => "run_failed",
    }
);

impl NotificationKind {
    /// The kinds an integration can subscribe to (every kind but password resets, which go
    /// to their user only).
    pub fn routable() -> Vec<Self> {
        Self::ALL
            .iter()
            .copied()
            .filter(|kind| *kind != Self::PasswordReset)
            .collect()
    }
}

/// The most characters of a failed run's error text a notification carries.
const RUN_ERROR_CHARS: usize = 500;

impl Notification {
    /// The notification for `execution` on the agent called `hostname`, when it is a script or
    /// policy execution that ended `failed`, `timed_out` or `expired` (the rule every
    /// `ExecutionRepository` applies when it settles executions); its error text is cut to
    /// 500 characters.
    pub fn for_failed_run(execution: &Execution, hostname: Hostname) -> Option<Self> {
        execution.is_failed_run().then(|| Self::RunFailed {
            execution: execution.id,
            agent: execution.agent,
            hostname,
            action: execution.action.clone(),
            status: execution.status.as_str().to_owned(),
            error: execution
                .error
                .as_deref()
                .unwrap_or("no error text")
                .chars()
                .take(RUN_ERROR_CHARS)
                .collect(),
            at: execution.completed_at.unwrap_or(execution.created_at),
        })
    }

    /// Its kind.
    pub fn kind(&self) -> NotificationKind {
        match self {
            Self::PasswordReset { .. } => NotificationKind::PasswordReset,
            Self::AgentOffline { .. } => NotificationKind::AgentOffline,
            Self::AgentOverdue { .. } => NotificationKind::AgentOverdue,
            Self::ThresholdAlert { .. } => NotificationKind::ThresholdAlert,
            Self::AgentPendingApproval { .. } => NotificationKind::AgentPendingApproval,
            Self::RunFailed { .. } => NotificationKind::RunFailed,
        }
    }

    /// How urgent it is.
    pub fn severity(&self) -> Severity {
        match self {
            Self::PasswordReset { .. } | Self::AgentPendingApproval { .. } => Severity::Info,
            Self::AgentOffline { .. } | Self::RunFailed { .. } => Severity::Warning,
            Self::AgentOverdue { .. } => Severity::Critical,
            Self::ThresholdAlert { severity, .. } => *severity,
        }
    }

    /// The agent it is about, if any.
    pub fn agent(&self) -> Option<(AgentId, &Hostname)> {
        match self {
            Self::PasswordReset { .. } => None,
            Self::AgentOffline {
                agent, hostname, ..
            }
            | Self::AgentOverdue {
                agent, hostname, ..
            }
            | Self::ThresholdAlert {
                agent, hostname, ..
            }
            | Self::AgentPendingApproval {
                agent, hostname, ..
            }
            | Self::RunFailed {
                agent, hostname, ..
            } => Some((*agent, hostname)),
        }
    }

    /// One line for people (the outbox list, logs); never a secret.
    pub fn summary(&self) -> String {
        match self {
            Self::PasswordReset { username, .. } => format!("password reset for {username}"),
            Self::AgentOffline { hostname, .. } => format!("{hostname} went offline"),
            Self::AgentOverdue { hostname, .. } => format!("{hostname} is overdue"),
            Self::ThresholdAlert {
                hostname,
                metric,
                severity,
                ..
            } => format!("{hostname}: {metric} {severity}"),
            Self::AgentPendingApproval { hostname, .. } => {
                format!("{hostname} waits for approval")
            }
            Self::RunFailed {
                hostname,
                action,
                status,
                ..
            } => format!("{hostname}: {action} {status}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_severities_have_stable_names() {
        assert_eq!("agent_offline".parse(), Ok(NotificationKind::AgentOffline));
        assert!("nope".parse::<NotificationKind>().is_err());
        assert!(!NotificationKind::routable().contains(&NotificationKind::PasswordReset));
        assert!(Severity::Critical > Severity::Warning && Severity::Warning > Severity::Info);
        assert_eq!("critical".parse(), Ok(Severity::Critical));
    }

    #[test]
    fn only_script_and_policy_executions_that_ended_badly_notify() {
        use crate::execution::{ExecutionStatus, NewExecution};
        use crate::fixtures::{queued, t0};
        use crate::script::ScriptId;

        let new = NewExecution {
            id: ExecutionId(uuid::Uuid::from_u128(1)),
            agent: AgentId(uuid::Uuid::from_u128(2)),
            action: "execute_script".into(),
            params: serde_json::json!({}),
            mutating: true,
            timeout_seconds: 60,
            created_by: None,
            created_at: t0(),
            expires_at: t0(),
            script: None,
            policy_run: None,
        };
        let host = || Hostname::parse("web-01").unwrap();
        let mut execution = queued(&new);
        execution.status = ExecutionStatus::Failed;
        execution.error = Some("x".repeat(600));
        assert_eq!(
            Notification::for_failed_run(&execution, host()),
            None,
            "a plain command"
        );

        execution.script = Some(ScriptId(uuid::Uuid::from_u128(3)));
        let Some(Notification::RunFailed { status, error, .. }) =
            Notification::for_failed_run(&execution, host())
        else {
            panic!("a failed script run notifies");
        };
        assert_eq!((status.as_str(), error.chars().count()), ("failed", 500));

        execution.status = ExecutionStatus::Completed;
        assert_eq!(Notification::for_failed_run(&execution, host()), None);
    }
}
