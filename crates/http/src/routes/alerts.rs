//! `/api/v1/alerts`: threshold alerts raised by agents.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::alert::AlertService;
use slimrmm_domain::alert::{AlertFilter, AlertId, AlertSort};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::dto::{AlertResponse, ApiResponse, PageResponse, ok, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, ListParams, ListParamsDoc, Operate, Read};

/// Filters of the alert list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFilterParams {
    /// Only this agent's.
    pub agent_uuid: Option<Uuid>,
    /// Only acknowledged (`true`) or open (`false`) alerts.
    pub acknowledged: Option<bool>,
    /// `warning` or `critical`.
    #[param(pattern = "^(warning|critical)$")]
    pub severity: Option<String>,
}

impl AlertFilterParams {
    fn into_domain(self) -> Result<AlertFilter, ApiError> {
        if let Some(severity) = &self.severity
            && severity != "warning"
            && severity != "critical"
        {
            return Err(ApiError::invalid_field(
                "severity",
                "must be warning or critical",
            ));
        }
        Ok(AlertFilter {
            agent: self.agent_uuid.map(AgentId),
            acknowledged: self.acknowledged,
            severity: self.severity,
        })
    }
}

/// List alerts; `sort_by` is `raised_at` (use `sort_order=desc` for the newest first).
#[utoipa::path(
    tag = "alerts",
    security(("bearer" = ["viewer"])),
    params(ListParamsDoc<AlertSort>, AlertFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<AlertResponse>>),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_alerts(
    alerts: web::Data<AlertService>,
    caller: Authorized<Read>,
    params: ListParams<AlertSort, AlertFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params
        .into_query()
        .try_map_filter(AlertFilterParams::into_domain)?;
    let page = alerts.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, AlertResponse::from)))
}

/// Acknowledge an alert (technicians and admins); the first acknowledgement is kept.
#[utoipa::path(
    tag = "alerts",
    security(("bearer" = ["technician"])),
    params(("id" = i64, Path, description = "Alert id")),
    responses(
        (status = 200, body = ApiResponse<AlertResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[post("/{id}/ack")]
pub async fn acknowledge_alert(
    alerts: web::Data<AlertService>,
    caller: Authorized<Operate>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let alert = alerts
        .acknowledge(&caller.actor, AlertId(id.into_inner()))
        .await?;
    Ok(ok_with_message(
        AlertResponse::from(alert),
        "Alert acknowledged",
    ))
}
