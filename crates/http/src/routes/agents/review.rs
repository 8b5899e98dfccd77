use actix_web::{HttpResponse, post, web};
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::agent::AgentService;
use uuid::Uuid;

use crate::dto::{AgentResponse, ApiResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized};

/// Approve a pending (or rejected) agent (admins). It can then fetch its certificate.
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["admin"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    responses(
        (status = 200, body = ApiResponse<AgentResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already approved (`INVALID_AGENT_STATE`)", body = ErrorBody),
    )
)]
#[post("/{uuid}/approve")]
pub async fn approve_agent(
    agents: web::Data<AgentService>,
    caller: Authorized<Administer>,
    uuid: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let agent = agents
        .approve(&caller.actor, AgentId(uuid.into_inner()))
        .await?;
    Ok(ok(AgentResponse::from(agent)))
}

/// Reject a pending agent (admins). Approved agents are deleted instead.
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["admin"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    responses(
        (status = 200, body = ApiResponse<AgentResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not pending (`INVALID_AGENT_STATE`)", body = ErrorBody),
    )
)]
#[post("/{uuid}/reject")]
pub async fn reject_agent(
    agents: web::Data<AgentService>,
    caller: Authorized<Administer>,
    uuid: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let agent = agents
        .reject(&caller.actor, AgentId(uuid.into_inner()))
        .await?;
    Ok(ok(AgentResponse::from(agent)))
}
