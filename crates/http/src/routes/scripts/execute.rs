use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use slimrmm_domain::agent::{AgentId, AgentOs, AgentSelector, Tag};
use slimrmm_domain::auth::Actor;
use slimrmm_domain::execution::ExecutionService;
use slimrmm_domain::execution::ExecutionSort;
use slimrmm_domain::idempotency::IdempotencyService;
use slimrmm_domain::script::ScriptService;
use slimrmm_domain::script::{ExecuteScriptError, ScriptId, ScriptRunRequest};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::dto::rules::parsed;
use crate::dto::{ApiResponse, ExecutionResponse, PageResponse, ScriptRunResponse, accepted, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, ListParams, ListParamsDoc, Operate, Read, ValidJson};
use crate::idempotent::{IdempotencyHeader, IdempotencyKeyDoc, fingerprint, once};
use crate::routes::executions::ExecutionFilterParams;

/// Where to run a script: agents by uuid, and/or with a tag, narrowed to one system with `os`
/// (`os` alone: every agent on it). Only approved agents run scripts.
#[derive(Debug, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecuteScriptBody {
    /// These agents (at most 10,000).
    #[validate(length(max = 10000))]
    pub agent_uuids: Option<Vec<Uuid>>,
    /// Agents with this tag.
    #[schema(example = "web-servers")]
    pub tag: Option<String>,
    /// `linux`, `darwin` or `windows`.
    pub os: Option<String>,
    /// Seconds each run may wait for an offline agent (default 86400, at most 604800).
    #[schema(minimum = 1, maximum = 604800)]
    pub expires_in: Option<i64>,
}

impl ExecuteScriptBody {
    /// The field the caller selected agents with, for errors about the selection.
    fn selection_field(&self) -> &'static str {
        match (&self.agent_uuids, &self.tag) {
            (Some(ids), _) if !ids.is_empty() => "agent_uuids",
            (_, Some(_)) => "tag",
            _ => "os",
        }
    }

    fn request(&self) -> Result<ScriptRunRequest, ApiError> {
        let tags = self
            .tag
            .as_deref()
            .map(|tag| parsed("tag", Tag::parse(tag)))
            .transpose()?;
        let os = self
            .os
            .as_deref()
            .map(|os| parsed("os", os.parse::<AgentOs>()))
            .transpose()?;
        Ok(ScriptRunRequest {
            targets: AgentSelector {
                all: false,
                agents: self
                    .agent_uuids
                    .iter()
                    .flatten()
                    .copied()
                    .map(AgentId)
                    .collect(),
                tags: tags.into_iter().collect(),
                os: os.into_iter().collect(),
            },
            expires_in: self.expires_in.map(crate::dto::rules::seconds),
        })
    }
}

/// Run a script on agents (technicians and admins): one `execute_script` execution per agent,
/// sent at once to connected agents, else when they connect. All agents or none: an unknown
/// uuid, or an agent whose system cannot run the script type, refuses the whole request (422
/// listing them).
#[utoipa::path(
    tag = "scripts",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Script id"), IdempotencyKeyDoc),
    request_body = ExecuteScriptBody,
    responses(
        (status = 202, body = ApiResponse<ScriptRunResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "A request with the same Idempotency-Key is still running (IDEMPOTENCY_KEY_IN_USE)", body = ErrorBody),
        (status = 422, description = "No or unknown agents, agents that cannot run the script type, or a bad expires_in", body = ErrorBody),
    )
)]
#[post("/{id}/execute")]
pub async fn execute_script(
    req: HttpRequest,
    scripts: web::Data<ScriptService>,
    idempotency: web::Data<IdempotencyService>,
    caller: Authorized<Operate>,
    id: web::Path<Uuid>,
    key: IdempotencyHeader,
    body: ValidJson<ExecuteScriptBody>,
) -> Result<HttpResponse, ApiError> {
    let script = ScriptId(id.into_inner());
    let ValidJson(body) = body;
    let fingerprint = fingerprint(&req, &body);
    let actor = caller.actor.clone();
    let work = async move { run(&scripts, &actor, script, body).await };
    once(&idempotency, &caller.actor, key, fingerprint, work).await
}

async fn run(
    scripts: &ScriptService,
    actor: &Actor,
    script: ScriptId,
    body: ExecuteScriptBody,
) -> Result<HttpResponse, ApiError> {
    let run = scripts
        .execute(actor, script, body.request()?)
        .await
        .map_err(|error| match error {
            ExecuteScriptError::NoTargets | ExecuteScriptError::Incompatible { .. } => {
                ApiError::invalid_field(body.selection_field(), error)
            }
            other => other.into(),
        })?;
    let message = format!("Script queued on {} agent(s)", run.executions.len());
    Ok(accepted(ScriptRunResponse::from(run), message))
}

/// Filters of a script's runs.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScriptRunFilterParams {
    /// Only this agent's.
    pub agent_uuid: Option<Uuid>,
    /// `queued`, `sent`, `completed`, `failed`, `timed_out`, `expired` or `cancelled`.
    #[param(pattern = "^(queued|sent|completed|failed|timed_out|expired|cancelled)$")]
    pub status: Option<String>,
}

/// A script's runs (its executions, one per agent and request), with their results;
/// `sort_by` is `created_at`.
#[utoipa::path(
    tag = "scripts",
    security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "Script id"), ListParamsDoc<ExecutionSort>, ScriptRunFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<ExecutionResponse>>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("/{id}/executions")]
pub async fn script_executions(
    executions: web::Data<ExecutionService>,
    scripts: web::Data<ScriptService>,
    caller: Authorized<Read>,
    id: web::Path<Uuid>,
    params: ListParams<ExecutionSort, ScriptRunFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let script = scripts
        .get(&caller.actor, ScriptId(id.into_inner()))
        .await?;
    let query = params.into_query().try_map_filter(|filter| {
        ExecutionFilterParams {
            agent_uuid: filter.agent_uuid,
            status: filter.status,
            action: None,
            script_id: Some(script.id.0),
            policy_run_id: None,
        }
        .into_domain()
    })?;
    let page = executions.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, ExecutionResponse::from)))
}
