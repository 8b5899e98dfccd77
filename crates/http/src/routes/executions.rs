//! `/api/v1/executions`: commands sent to agents and their results.

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::execution::ExecutionService;
use slimrmm_domain::execution::{ExecutionFilter, ExecutionId, ExecutionSort, ExecutionStatus};
use slimrmm_domain::policy::PolicyRunId;
use slimrmm_domain::script::ScriptId;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::dto::{ApiResponse, ExecutionResponse, PageResponse, ok, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, ListParams, ListParamsDoc, Operate, Read};

/// Filters of the execution list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExecutionFilterParams {
    /// Only this agent's.
    pub agent_uuid: Option<Uuid>,
    /// `queued`, `sent`, `completed`, `failed`, `timed_out`, `expired` or `cancelled`.
    #[param(pattern = "^(queued|sent|completed|failed|timed_out|expired|cancelled)$")]
    pub status: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only runs of this library script.
    pub script_id: Option<Uuid>,
    /// Only this policy run's.
    pub policy_run_id: Option<Uuid>,
}

impl ExecutionFilterParams {
    pub(crate) fn into_domain(self) -> Result<ExecutionFilter, ApiError> {
        let status = self
            .status
            .map(|status| {
                status.parse::<ExecutionStatus>().map_err(|_| {
                    ApiError::invalid_field("status", "must be one of: queued, sent, completed, failed, timed_out, expired, cancelled")
                })
            })
            .transpose()?;
        Ok(ExecutionFilter {
            agent: self.agent_uuid.map(AgentId),
            status,
            action: self.action,
            script: self.script_id.map(ScriptId),
            policy_run: self.policy_run_id.map(PolicyRunId),
        })
    }
}

/// List executions; `sort_by` is `created_at` (use `sort_order=desc` for the newest first).
#[utoipa::path(
    tag = "executions",
    security(("bearer" = ["viewer"])),
    params(ListParamsDoc<ExecutionSort>, ExecutionFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<ExecutionResponse>>),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_executions(
    executions: web::Data<ExecutionService>,
    caller: Authorized<Read>,
    params: ListParams<ExecutionSort, ExecutionFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params
        .into_query()
        .try_map_filter(ExecutionFilterParams::into_domain)?;
    let page = executions.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, ExecutionResponse::from)))
}

/// One execution with its result.
#[utoipa::path(
    tag = "executions",
    security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "Execution id")),
    responses(
        (status = 200, body = ApiResponse<ExecutionResponse>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_execution(
    executions: web::Data<ExecutionService>,
    caller: Authorized<Read>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let execution = executions
        .get(&caller.actor, ExecutionId(id.into_inner()))
        .await?;
    Ok(ok(ExecutionResponse::from(execution)))
}

/// Cancel a queued execution (technicians and admins); once sent it belongs to the agent.
#[utoipa::path(
    tag = "executions",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Execution id")),
    responses(
        (status = 200, body = ApiResponse<ExecutionResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not queued (`NOT_QUEUED`)", body = ErrorBody),
    )
)]
#[post("/{id}/cancel")]
pub async fn cancel_execution(
    executions: web::Data<ExecutionService>,
    caller: Authorized<Operate>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let execution = executions
        .cancel(&caller.actor, ExecutionId(id.into_inner()))
        .await?;
    Ok(ok_with_message(
        ExecutionResponse::from(execution),
        "Execution cancelled",
    ))
}
