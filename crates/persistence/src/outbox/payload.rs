//! A notification as stored in the outbox: its facts as JSON, a secret (the password-reset
//! token) sealed apart.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{AgentId, Hostname};
use slimrmm_domain::alert::AlertId;
use slimrmm_domain::auth::OpaqueToken;
use slimrmm_domain::execution::ExecutionId;
use slimrmm_domain::notification::Notification;
use slimrmm_domain::sealer::SecretSealer;
use slimrmm_domain::user::{Email, UserId, Username};
use uuid::Uuid;

use crate::error::corrupt;

/// The purpose a password-reset token is sealed for.
pub(crate) const RESET_TOKEN: &str = "outbox:password-reset-token";

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Payload {
    PasswordReset {
        user_id: i64,
        username: String,
        email: String,
        expires_at: DateTime<Utc>,
    },
    AgentOffline {
        agent: Uuid,
        hostname: String,
        at: DateTime<Utc>,
    },
    AgentOverdue {
        agent: Uuid,
        hostname: String,
        at: DateTime<Utc>,
    },
    ThresholdAlert {
        alert: i64,
        agent: Uuid,
        hostname: String,
        metric: String,
        severity: String,
        message: String,
        at: DateTime<Utc>,
    },
    AgentPendingApproval {
        agent: Uuid,
        hostname: String,
        at: DateTime<Utc>,
    },
    RunFailed {
        execution: Uuid,
        agent: Uuid,
        hostname: String,
        action: String,
        status: String,
        error: String,
        at: DateTime<Utc>,
    },
}

/// The stored form: JSON facts and, for a password reset, the token to seal.
pub(crate) fn to_stored(notification: &Notification) -> (serde_json::Value, Option<&str>) {
    let (payload, secret) = match notification {
        Notification::PasswordReset {
            user_id,
            username,
            email,
            token,
            expires_at,
        } => (
            Payload::PasswordReset {
                user_id: user_id.0,
                username: username.to_string(),
                email: email.as_str().to_owned(),
                expires_at: *expires_at,
            },
            Some(token.expose()),
        ),
        Notification::AgentOffline {
            agent,
            hostname,
            at,
        } => (
            Payload::AgentOffline {
                agent: agent.0,
                hostname: hostname.to_string(),
                at: *at,
            },
            None,
        ),
        Notification::AgentOverdue {
            agent,
            hostname,
            at,
        } => (
            Payload::AgentOverdue {
                agent: agent.0,
                hostname: hostname.to_string(),
                at: *at,
            },
            None,
        ),
        Notification::ThresholdAlert {
            alert,
            agent,
            hostname,
            metric,
            severity,
            message,
            at,
        } => (
            Payload::ThresholdAlert {
                alert: alert.0,
                agent: agent.0,
                hostname: hostname.to_string(),
                metric: metric.clone(),
                severity: severity.as_str().to_owned(),
                message: message.clone(),
                at: *at,
            },
            None,
        ),
        Notification::AgentPendingApproval {
            agent,
            hostname,
            at,
        } => (
            Payload::AgentPendingApproval {
                agent: agent.0,
                hostname: hostname.to_string(),
                at: *at,
            },
            None,
        ),
        Notification::RunFailed {
            execution,
            agent,
            hostname,
            action,
            status,
            error,
            at,
        } => (
            Payload::RunFailed {
                execution: execution.0,
                agent: agent.0,
                hostname: hostname.to_string(),
                action: action.clone(),
                status: status.clone(),
                error: error.clone(),
                at: *at,
            },
            None,
        ),
    };
    (
        serde_json::to_value(payload).unwrap_or(serde_json::Value::Null),
        secret,
    )
}

fn host(name: &str) -> Result<Hostname, PortError> {
    Hostname::parse(name).map_err(|e| corrupt("notification host name", e))
}

/// A stored notification read back; the token is opened with `sealer`.
pub(crate) fn from_stored(
    payload: serde_json::Value,
    secret: Option<&[u8]>,
    sealer: &dyn SecretSealer,
) -> Result<Notification, PortError> {
    let payload: Payload =
        serde_json::from_value(payload).map_err(|e| corrupt("notification", e))?;
    Ok(match payload {
        Payload::PasswordReset {
            user_id,
            username,
            email,
            expires_at,
        } => {
            let sealed =
                secret.ok_or_else(|| corrupt("notification", "the reset token is gone"))?;
            let token = String::from_utf8(sealer.open(sealed, RESET_TOKEN)?)
                .map_err(|e| corrupt("notification token", e))?;
            Notification::PasswordReset {
                user_id: UserId(user_id),
                username: Username::parse(&username).map_err(|e| corrupt("username", e))?,
                email: Email::parse(&email).map_err(|e| corrupt("email", e))?,
                token: OpaqueToken::from_generated(token),
                expires_at,
            }
        }
        Payload::AgentOffline {
            agent,
            hostname,
            at,
        } => Notification::AgentOffline {
            agent: AgentId(agent),
            hostname: host(&hostname)?,
            at,
        },
        Payload::AgentOverdue {
            agent,
            hostname,
            at,
        } => Notification::AgentOverdue {
            agent: AgentId(agent),
            hostname: host(&hostname)?,
            at,
        },
        Payload::ThresholdAlert {
            alert,
            agent,
            hostname,
            metric,
            severity,
            message,
            at,
        } => Notification::ThresholdAlert {
            alert: AlertId(alert),
            agent: AgentId(agent),
            hostname: host(&hostname)?,
            metric,
            severity: severity
                .parse()
                .map_err(|e: String| corrupt("severity", e))?,
            message,
            at,
        },
        Payload::AgentPendingApproval {
            agent,
            hostname,
            at,
        } => Notification::AgentPendingApproval {
            agent: AgentId(agent),
            hostname: host(&hostname)?,
            at,
        },
        Payload::RunFailed {
            execution,
            agent,
            hostname,
            action,
            status,
            error,
            at,
        } => Notification::RunFailed {
            execution: ExecutionId(execution),
            agent: AgentId(agent),
            hostname: host(&hostname)?,
            action,
            status,
            error,
            at,
        },
    })
}
