use actix_web::{HttpResponse, patch, web};
use serde::Deserialize;
use slimrmm_domain::agent::AgentService;
use slimrmm_domain::agent::{AgentId, DisplayName, Tags, UpdateAgentRequest};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::rules::{self, parsed};
use crate::dto::{AgentResponse, ApiResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Operate, ValidJson};

/// Changes to an agent's labels; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgentBody {
    /// A display name (1 to 128 characters), or `null` to remove it.
    #[validate(custom(function = "rules::display_name"))]
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<String>)]
    pub display_name: Option<Option<String>>,
    /// The complete new set of tags (each 1 to 64 of letters, digits and `-_.:/`; at most 32).
    #[validate(custom(function = "rules::tags"))]
    pub tags: Option<Vec<String>>,
}

/// Change an agent's display name and tags (technicians and admins).
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["technician"])),
    params(("uuid" = Uuid, Path, description = "The agent")),
    request_body = UpdateAgentBody,
    responses(
        (status = 200, body = ApiResponse<AgentResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Viewers change nothing", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[patch("/{uuid}")]
pub async fn update_agent(
    agents: web::Data<AgentService>,
    caller: Authorized<Operate>,
    uuid: web::Path<Uuid>,
    body: ValidJson<UpdateAgentBody>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(body) = body;
    let display_name = match body.display_name {
        None => None,
        Some(None) => Some(None),
        Some(Some(name)) => Some(Some(parsed("display_name", DisplayName::parse(&name))?)),
    };
    let tags = body
        .tags
        .as_deref()
        .map(|tags| parsed("tags", Tags::parse(tags)))
        .transpose()?;
    let request = UpdateAgentRequest { display_name, tags };
    let agent = agents
        .update(&caller.actor, AgentId(uuid.into_inner()), request)
        .await?;
    Ok(ok(AgentResponse::from(agent)))
}
