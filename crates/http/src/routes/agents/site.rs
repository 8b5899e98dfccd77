use actix_web::{HttpResponse, put, web};
use serde::Deserialize;
use slimrmm_domain::agent::{AgentId, AgentService};
use slimrmm_domain::tenancy::SiteId;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::{AgentResponse, ApiResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, ValidJson};

/// Where an agent goes.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveAgentBody {
    /// The site, possibly of another client.
    #[validate(range(min = 1))]
    #[schema(minimum = 1, example = 7)]
    pub site_id: i64,
}

/// Move an agent to another site (admins; the agent and the site must both be in your
/// clients). Audited as `agent.move` with where it came from.
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["admin"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    request_body = MoveAgentBody,
    responses(
        (status = 200, body = ApiResponse<AgentResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "`site_id` names no site you can see", body = ErrorBody),
    )
)]
#[put("/{uuid}/site")]
pub async fn move_agent(
    agents: web::Data<AgentService>,
    caller: Authorized<Administer>,
    uuid: web::Path<Uuid>,
    body: ValidJson<MoveAgentBody>,
) -> Result<HttpResponse, ApiError> {
    let agent = agents
        .move_to(
            &caller.actor,
            AgentId(uuid.into_inner()),
            SiteId(body.0.site_id),
        )
        .await?;
    Ok(ok(AgentResponse::from(agent)))
}
