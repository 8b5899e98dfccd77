use actix_web::{HttpResponse, get, web};
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::agent::AgentService;
use uuid::Uuid;

use crate::dto::{AgentResponse, ApiResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Read};

/// One agent with its latest reported facts.
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["viewer"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    responses(
        (status = 200, body = ApiResponse<AgentResponse>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such agent (`AGENT_NOT_FOUND`)", body = ErrorBody),
    )
)]
#[get("/{uuid}")]
pub async fn get_agent(
    agents: web::Data<AgentService>,
    caller: Authorized<Read>,
    uuid: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let agent = agents
        .get(&caller.actor, AgentId(uuid.into_inner()))
        .await?;
    Ok(ok(AgentResponse::from(agent)))
}
