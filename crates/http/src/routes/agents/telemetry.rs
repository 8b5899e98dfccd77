use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::inventory::InventoryKind;
use slimrmm_domain::inventory::InventoryService;
use slimrmm_domain::telemetry::TelemetryService;
use slimrmm_domain::telemetry::{MetricsRequest, Resolution};
use utoipa::IntoParams;
use uuid::Uuid;

use crate::dto::{AgentStateResponse, ApiResponse, InventoryResponse, MetricPointResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Read};

/// The window and resolution of a metric series.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MetricsParams {
    /// Start (RFC 3339); default: 1 hour (1m), 1 day (5m) or 7 days (1h) before `to`.
    pub from: Option<DateTime<Utc>>,
    /// End (RFC 3339, exclusive); default: now.
    pub to: Option<DateTime<Utc>>,
    /// `1m` (default), `5m` or `1h`.
    #[param(pattern = "^(1m|5m|1h)$")]
    pub resolution: Option<String>,
}

/// CPU, memory and per-disk usage history, averaged and maxed per bucket (at most 10080
/// points).
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["viewer"])),
    params(("uuid" = Uuid, Path, description = "The agent"), MetricsParams),
    responses(
        (status = 200, body = ApiResponse<Vec<MetricPointResponse>>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("/{uuid}/metrics")]
pub async fn agent_metrics(
    telemetry: web::Data<TelemetryService>,
    caller: Authorized<Read>,
    uuid: web::Path<Uuid>,
    params: web::Query<MetricsParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let resolution = match params.resolution.as_deref() {
        None => Resolution::OneMinute,
        Some(text) => Resolution::parse(text)
            .ok_or_else(|| ApiError::invalid_field("resolution", "must be 1m, 5m or 1h"))?,
    };
    let request = MetricsRequest {
        from: params.from,
        to: params.to,
        resolution,
    };
    let points = telemetry
        .metrics(&caller.actor, AgentId(uuid.into_inner()), request)
        .await?;
    Ok(ok(points
        .into_iter()
        .map(MetricPointResponse::from)
        .collect::<Vec<_>>()))
}

/// The agent's latest reported state: last heartbeat, stats, and the delta-sent blocks
/// (`data` is null before the first heartbeat).
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["viewer"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    responses(
        (status = 200, body = ApiResponse<Option<AgentStateResponse>>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{uuid}/state")]
pub async fn agent_state(
    telemetry: web::Data<TelemetryService>,
    caller: Authorized<Read>,
    uuid: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let current = telemetry
        .state(&caller.actor, AgentId(uuid.into_inner()))
        .await?;
    Ok(ok(current.map(AgentStateResponse::from)))
}

async fn inventory(
    inventories: &InventoryService,
    caller: &Authorized<Read>,
    uuid: Uuid,
    kind: InventoryKind,
) -> Result<HttpResponse, ApiError> {
    let inventory = inventories.get(&caller.actor, AgentId(uuid), kind).await?;
    Ok(ok(inventory.map(InventoryResponse::from)))
}

/// Installed software, from the last `get_software_inventory` answer and `inventory_change`
/// messages (`data` is null until the first).
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["viewer"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    responses(
        (status = 200, body = ApiResponse<Option<InventoryResponse>>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{uuid}/software")]
pub async fn agent_software(
    inventories: web::Data<InventoryService>,
    caller: Authorized<Read>,
    uuid: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    inventory(
        &inventories,
        &caller,
        uuid.into_inner(),
        InventoryKind::Software,
    )
    .await
}

/// Available updates, from the last `get_available_updates` answer (`data` is null until the
/// first).
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["viewer"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    responses(
        (status = 200, body = ApiResponse<Option<InventoryResponse>>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{uuid}/updates")]
pub async fn agent_updates(
    inventories: web::Data<InventoryService>,
    caller: Authorized<Read>,
    uuid: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    inventory(
        &inventories,
        &caller,
        uuid.into_inner(),
        InventoryKind::Updates,
    )
    .await
}
