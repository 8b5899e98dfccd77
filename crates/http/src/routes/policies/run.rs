use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;
use slimrmm_domain::auth::Actor;
use slimrmm_domain::execution::ExecutionService;
use slimrmm_domain::execution::ExecutionSort;
use slimrmm_domain::idempotency::IdempotencyService;
use slimrmm_domain::policy::PolicyService;
use slimrmm_domain::policy::{PolicyId, PolicyRunId, PolicyRunRequest, RunSort};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::body::RunPolicyBody;
use crate::dto::{
    AgentPatchResult, ApiResponse, ExecutionResponse, PageResponse, PolicyRunResponse,
    PolicyScanResponse, accepted, ok,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Global, ListParams, ListParamsDoc, Operate, OptionalJson, Read};
use crate::idempotent::{IdempotencyHeader, IdempotencyKeyDoc, fingerprint, once};
use crate::routes::executions::ExecutionFilterParams;

/// Run a policy now (technicians and admins), enabled or not and whatever its window: one
/// `execute_patches` execution per targeted agent; offline agents patch when they reconnect,
/// until the run expires. **Read `warnings`**: the agent installs every available update
/// whatever the categories, and reboots 60 s after a successful run whenever reboot is enabled
/// and the condition is not `never`.
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Policy id"), IdempotencyKeyDoc),
    request_body(content = Option<RunPolicyBody>, description = "Optional"),
    responses(
        (status = 202, body = ApiResponse<PolicyRunResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "A request with the same Idempotency-Key is still running (IDEMPOTENCY_KEY_IN_USE)", body = ErrorBody),
        (status = 422, description = "The targets select no approved agent, or a bad expires_in", body = ErrorBody),
    )
)]
#[post("/{id}/execute")]
pub async fn execute_policy(
    req: HttpRequest,
    policies: web::Data<PolicyService>,
    idempotency: web::Data<IdempotencyService>,
    caller: Authorized<Global<Operate>>,
    id: web::Path<Uuid>,
    key: IdempotencyHeader,
    body: OptionalJson<RunPolicyBody>,
) -> Result<HttpResponse, ApiError> {
    let policy = PolicyId(id.into_inner());
    let fingerprint = fingerprint(&req, &body.0);
    let actor = caller.actor.clone();
    let work = async move { start_run(&policies, &actor, policy, body.0).await };
    once(&idempotency, &caller.actor, key, fingerprint, work).await
}

async fn start_run(
    policies: &PolicyService,
    actor: &Actor,
    policy: PolicyId,
    body: RunPolicyBody,
) -> Result<HttpResponse, ApiError> {
    let request = PolicyRunRequest {
        expires_in: body.expires_in.map(crate::dto::rules::seconds),
    };
    let run = policies.execute(actor, policy, request).await?;
    let message = format!("Policy run started on {} agent(s)", run.run.target_count);
    Ok(accepted(PolicyRunResponse::from(run), message))
}

/// Ask every agent the policy targets for its available updates (technicians and admins).
/// Each answer is stored as that agent's `GET /api/v1/agents/{uuid}/updates`: what a run
/// would install.
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Policy id")),
    responses(
        (status = 202, body = ApiResponse<PolicyScanResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[post("/{id}/scan")]
pub async fn scan_policy(
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Operate>>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let policy = PolicyId(id.into_inner());
    let scan = policies.scan(&caller.actor, policy).await?;
    let message = format!("Scan queued on {} agent(s)", scan.executions.len());
    Ok(accepted(PolicyScanResponse::from(scan), message))
}

/// No filters besides paging.
#[derive(Debug, Default, Deserialize)]
pub struct NoFilter {}

/// A policy's runs with their progress; `sort_by` is `created_at` (`sort_order=desc` for the
/// newest first).
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "Policy id"), ListParamsDoc<RunSort>),
    responses(
        (status = 200, body = ApiResponse<PageResponse<PolicyRunResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Policies reach every client: only users of every client read them", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("/{id}/runs")]
pub async fn policy_runs(
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Read>>,
    id: web::Path<Uuid>,
    params: ListParams<RunSort, NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_query().map_filter(|_| Default::default());
    let page = policies
        .runs(&caller.actor, PolicyId(id.into_inner()), query)
        .await?;
    Ok(ok(PageResponse::from_page(page, PolicyRunResponse::from)))
}

/// Filters of a run's per-agent results.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunResultFilterParams {
    /// Only this agent's.
    pub agent_uuid: Option<Uuid>,
    /// `queued`, `sent`, `completed`, `failed`, `timed_out`, `expired` or `cancelled`.
    #[param(pattern = "^(queued|sent|completed|failed|timed_out|expired|cancelled)$")]
    pub status: Option<String>,
}

/// A run with its per-agent results.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PolicyRunDetail {
    /// The run, its progress and warnings.
    #[serde(flatten)]
    pub run: PolicyRunResponse,
    /// One page of per-agent results (`page`, `per_page`, `agent_uuid`, `status`).
    pub results: PageResponse<AgentPatchResult>,
}

/// One run with its progress and a page of per-agent results from `patch_execution_result`
/// (patches installed and failed, reboot required, output).
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "Run id"), ListParamsDoc<ExecutionSort>, RunResultFilterParams),
    responses(
        (status = 200, body = ApiResponse<PolicyRunDetail>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Policies reach every client: only users of every client read them", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_policy_run(
    executions: web::Data<ExecutionService>,
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Read>>,
    id: web::Path<Uuid>,
    params: ListParams<ExecutionSort, RunResultFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let run_id = PolicyRunId(id.into_inner());
    let run = policies.run(&caller.actor, run_id).await?;
    let query = params.into_query().try_map_filter(|filter| {
        ExecutionFilterParams {
            agent_uuid: filter.agent_uuid,
            status: filter.status,
            action: None,
            script_id: None,
            policy_run_id: Some(run_id.0),
        }
        .into_domain()
    })?;
    let page = executions.list(&caller.actor, &query).await?;
    Ok(ok(PolicyRunDetail {
        run: PolicyRunResponse::from(run),
        results: PageResponse::from_page(page, |execution| {
            AgentPatchResult::from(ExecutionResponse::from(execution))
        }),
    }))
}
