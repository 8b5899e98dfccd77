use actix_web::{HttpResponse, delete, web};
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::agent::AgentService;
use uuid::Uuid;

use crate::dto::{ApiResponse, Null, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized};

/// Delete an agent (admins): its certificates are revoked and its uuid is never accepted again.
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["admin"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/{uuid}")]
pub async fn delete_agent(
    agents: web::Data<AgentService>,
    caller: Authorized<Administer>,
    uuid: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let agent = AgentId(uuid.into_inner());
    agents.delete(&caller.actor, agent).await?;
    Ok(ok_with_message(Null, "Agent deleted"))
}
