use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use slimrmm_domain::agent::AgentService;
use slimrmm_domain::agent::{AgentFilter, AgentSort, Tag};
use slimrmm_domain::tenancy::{ClientId, SiteId};
use utoipa::IntoParams;

use crate::dto::rules::parsed;
use crate::dto::{AgentOsDto, AgentResponse, AgentStatusDto, ApiResponse, PageResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, ListParams, ListParamsDoc, Read};

/// Filters of the agent list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgentFilterParams {
    /// Only agents in this status.
    pub status: Option<AgentStatusDto>,
    /// Only agents on this operating system.
    pub os: Option<AgentOsDto>,
    /// Only agents with this tag (1 to 64 letters, digits and `-_.:/`).
    #[param(pattern = "^[\\w.:/-]{1,64}$")]
    pub tag: Option<String>,
    /// Only agents of this client.
    pub client_id: Option<i64>,
    /// Only agents of this site.
    pub site_id: Option<i64>,
}

impl AgentFilterParams {
    fn into_domain(self) -> Result<AgentFilter, ApiError> {
        Ok(AgentFilter {
            status: self.status.map(Into::into),
            os: self.os.map(Into::into),
            tag: self
                .tag
                .as_deref()
                .map(|tag| parsed("tag", Tag::parse(tag)))
                .transpose()?,
            client: self.client_id.map(ClientId),
            site: self.site_id.map(SiteId),
        })
    }
}

/// List agents. `search` matches host name and serial number (anywhere in them) and the
/// external IP and uuid (from their start), without regard to case; `sort_by` is one of `hostname` (default), `status`, `os`,
/// `agent_version`, `last_seen_at`, `created_at`.
#[utoipa::path(
    tag = "agents",
    security(("bearer" = ["viewer"])),
    params(ListParamsDoc<AgentSort>, AgentFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<AgentResponse>>),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A query parameter is invalid", body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_agents(
    agents: web::Data<AgentService>,
    caller: Authorized<Read>,
    params: ListParams<AgentSort, AgentFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params
        .into_query()
        .try_map_filter(AgentFilterParams::into_domain)?;
    let page = agents.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, AgentResponse::from)))
}
