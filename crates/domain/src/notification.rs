//! The notification port: messages the domain wants delivered to people.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::PortError;
use crate::agent::{AgentId, Hostname};
use crate::alert::AlertId;
use crate::auth::OpaqueToken;
use crate::user::{Email, UserId, Username};

/// Something worth telling a person about.
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
        /// The secret token; only the adapter that delivers the mail may read it.
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
        /// `warning` or `critical`.
        severity: String,
        /// The agent's message.
        message: String,
    },
}

impl Notification {
    /// A stable name of the kind, for logs and routing.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PasswordReset { .. } => "password_reset",
            Self::AgentOffline { .. } => "agent_offline",
            Self::AgentOverdue { .. } => "agent_overdue",
            Self::ThresholdAlert { .. } => "threshold_alert",
        }
    }
}

/// Delivers notifications (mail, push, ...).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Hands `notification` over for delivery.
    async fn notify(&self, notification: &Notification) -> Result<(), PortError>;
}
