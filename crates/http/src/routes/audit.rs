//! `/api/v1/audit-logs`: who did what, from where (admins).

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use slimrmm_domain::audit::AuditService;
use slimrmm_domain::audit::{AuditFilter, AuditSort};
use slimrmm_domain::user::UserId;
use utoipa::IntoParams;

use crate::dto::{ApiResponse, AuditEntryResponse, PageResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, ListParams, ListParamsDoc};

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilterParams {
    /// Only this user's actions.
    pub actor_id: Option<i64>,
    /// One action (`user.update`), or a family ending with a dot (`user.`).
    #[param(max_length = 64, pattern = "\\S")]
    pub action: Option<String>,
    /// Only actions on this kind of thing (`user`, `agent`, `script`, `policy`, ...).
    #[param(max_length = 32, pattern = "\\S")]
    pub target_type: Option<String>,
    /// Only actions on the thing with this id.
    #[param(max_length = 128, pattern = "\\S")]
    pub target_id: Option<String>,
    /// Only successes (`true`) or failures (`false`).
    pub success: Option<bool>,
    /// From this time on (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

impl AuditFilterParams {
    fn into_domain(self) -> Result<AuditFilter, ApiError> {
        let text = |field: &str, value: Option<String>, max: usize| match value {
            Some(value) if value.trim().is_empty() || value.chars().count() > max => Err(
                ApiError::invalid_field(field, format!("must be 1 to {max} characters")),
            ),
            other => Ok(other.map(|value| value.trim().to_owned())),
        };
        Ok(AuditFilter {
            actor: self.actor_id.map(UserId),
            action: text("action", self.action, 64)?,
            target_kind: text("target_type", self.target_type, 32)?,
            target_id: text("target_id", self.target_id, 128)?,
            success: self.success,
            since: self.since,
            until: self.until,
        })
    }
}

/// The audit log (admins): logins and their failures, refresh-token reuse, user, token,
/// agent, command, script, policy and integration changes; `sort_by` is `at`
/// (`sort_order=desc` for the newest first); `search` matches the actor's name, the action
/// and the target id.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = ["admin"])),
    params(ListParamsDoc<AuditSort>, AuditFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<AuditEntryResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_audit_logs(
    audit: web::Data<AuditService>,
    caller: Authorized<Global<Administer>>,
    params: ListParams<AuditSort, AuditFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params
        .into_query()
        .try_map_filter(AuditFilterParams::into_domain)?;
    let page = audit.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, AuditEntryResponse::from)))
}
