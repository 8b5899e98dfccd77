use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use slimrmm_domain::audit::AuditEntry;
use utoipa::ToSchema;

/// One audit-log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    /// Identifier (increasing).
    pub id: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The user who acted (none for a failed login).
    pub actor_id: Option<i64>,
    /// Their user name then, or the name a failed login tried.
    pub actor_name: Option<String>,
    /// What was done, e.g. `auth.login`, `user.update`, `agent.command`.
    #[schema(example = "agent.command")]
    pub action: String,
    /// The kind of thing it was done to (`user`, `agent`, `script`, ...).
    pub target_type: Option<String>,
    /// Its id.
    pub target_id: Option<String>,
    /// The client's address.
    pub ip_address: Option<String>,
    /// Whether it worked.
    pub success: bool,
    /// The facts of the action (never secrets).
    #[schema(value_type = Object)]
    pub details: Value,
}

impl From<AuditEntry> for AuditEntryResponse {
    fn from(entry: AuditEntry) -> Self {
        let (target_type, target_id) = entry
            .target
            .map_or((None, None), |target| (Some(target.kind), Some(target.id)));
        Self {
            id: entry.id.0,
            at: entry.at,
            actor_id: entry.actor.map(|actor| actor.0),
            actor_name: entry.actor_name,
            action: entry.action,
            target_type,
            target_id,
            ip_address: entry.source_ip.map(|ip| ip.to_string()),
            success: entry.success,
            details: entry.details,
        }
    }
}
