use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::auth::Actor;
use slimrmm_domain::execution::Command;
use slimrmm_domain::execution::ExecutionService;
use slimrmm_domain::idempotency::IdempotencyService;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::{ApiResponse, ExecutionResponse, accepted};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Operate, ValidJson};
use crate::idempotent::{IdempotencyHeader, IdempotencyKeyDoc, fingerprint, once};

/// A command for an agent.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// One of `ping`, `restart`, `shutdown`, `cancel_shutdown`, `get_system_stats`,
    /// `custom_command`, `get_software_inventory`, `get_available_updates`, `list_services`,
    /// `start_service`, `stop_service`, `restart_service`, `list_processes`,
    /// `set_maintenance_mode`, `pull_logs`.
    #[schema(example = "restart")]
    pub action: String,
    /// The action's parameters: `restart`/`shutdown` `{force?, delay?}`, `custom_command`
    /// `{command, timeout?}`, `*_service` `{name}`, `set_maintenance_mode` `{enabled}`,
    /// `pull_logs` `{after_timestamp?, limit?}`; none for the others.
    #[schema(value_type = Option<Object>)]
    pub params: Option<Value>,
    /// Seconds the command may wait for an offline agent (default 86400, at most 604800).
    #[schema(minimum = 1, maximum = 604800)]
    pub expires_in: Option<i64>,
}

/// Send a command to an agent (technicians and admins). It is stored first, sent at once if
/// the agent is connected to any server process, else when it connects, unless it expires.
/// Answers 202 with the execution; follow it at `GET /api/v1/executions/{id}`.
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["technician"])),
    params(("uuid" = Uuid, Path, description = "The agent"), IdempotencyKeyDoc),
    request_body = ActionBody,
    responses(
        (status = 202, body = ApiResponse<ExecutionResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The agent is not approved (`APPROVAL_REQUIRED`), or a request with the same Idempotency-Key is still running (IDEMPOTENCY_KEY_IN_USE)", body = ErrorBody),
        (status = 422, description = "Unknown action (the allowed ones are listed) or a bad parameter", body = ErrorBody),
    )
)]
#[post("/{uuid}/action")]
pub async fn agent_action(
    req: HttpRequest,
    executions: web::Data<ExecutionService>,
    idempotency: web::Data<IdempotencyService>,
    caller: Authorized<Operate>,
    uuid: web::Path<Uuid>,
    key: IdempotencyHeader,
    body: ValidJson<ActionBody>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(body) = body;
    let fingerprint = fingerprint(&req, &body);
    let actor = caller.actor.clone();
    let work = async move { queue(&executions, &actor, uuid.into_inner(), body).await };
    once(&idempotency, &caller.actor, key, fingerprint, work).await
}

async fn queue(
    executions: &ExecutionService,
    actor: &Actor,
    uuid: Uuid,
    body: ActionBody,
) -> Result<HttpResponse, ApiError> {
    let command = Command::parse(&body.action, body.params.as_ref())?;
    let expires_in = body.expires_in.map(crate::dto::rules::seconds);
    let execution = executions
        .create(actor, AgentId(uuid), command, expires_in)
        .await?;
    Ok(accepted(
        ExecutionResponse::from(execution),
        "Command queued",
    ))
}
