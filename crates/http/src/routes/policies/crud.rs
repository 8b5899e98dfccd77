use actix_web::{HttpResponse, delete, get, post, put, web};
use serde::Deserialize;
use slimrmm_domain::policy::PolicyService;
use slimrmm_domain::policy::{PolicyFilter, PolicyId, PolicySort};
use utoipa::IntoParams;
use uuid::Uuid;

use super::body::{CreatePolicyBody, UpdatePolicyBody};
use crate::dto::{ApiResponse, Null, PageResponse, PolicyResponse, created, ok, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Global, ListParams, ListParamsDoc, Operate, Read, ValidJson};

/// Filters of the policy list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PolicyFilterParams {
    /// Only enabled (`true`) or disabled (`false`) policies.
    pub enabled: Option<bool>,
}

/// List policies; `search` covers name and description; `sort_by` is `name`, `created_at`,
/// `updated_at` or `next_run_at`.
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["viewer"])),
    params(ListParamsDoc<PolicySort>, PolicyFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<PolicyResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Policies reach every client: only users of every client read them", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_policies(
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Read>>,
    params: ListParams<PolicySort, PolicyFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_query().map_filter(|filter| PolicyFilter {
        enabled: filter.enabled,
    });
    let page = policies.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, PolicyResponse::from)))
}

/// Create a policy (technicians and admins). `next_run_at` shows when its schedule fires
/// first.
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["technician"])),
    request_body = CreatePolicyBody,
    responses(
        (status = 201, body = ApiResponse<PolicyResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "Name taken (`POLICY_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    )
)]
#[post("")]
pub async fn create_policy(
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Operate>>,
    body: ValidJson<CreatePolicyBody>,
) -> Result<HttpResponse, ApiError> {
    let policy = policies.create(&caller.actor, body.0.into()).await?;
    Ok(created(PolicyResponse::from(policy)))
}

/// One policy.
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["viewer"])),
    params(("id" = Uuid, Path, description = "Policy id")),
    responses(
        (status = 200, body = ApiResponse<PolicyResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Policies reach every client: only users of every client read them", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_policy(
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Read>>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let policy = policies
        .get(&caller.actor, PolicyId(id.into_inner()))
        .await?;
    Ok(ok(PolicyResponse::from(policy)))
}

/// Change a policy (technicians and admins). Its next slot is computed afresh: a re-enabled
/// policy does not fire for the slots it was disabled through.
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Policy id")),
    request_body = UpdatePolicyBody,
    responses(
        (status = 200, body = ApiResponse<PolicyResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Name taken (`POLICY_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/{id}")]
pub async fn update_policy(
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Operate>>,
    id: web::Path<Uuid>,
    body: ValidJson<UpdatePolicyBody>,
) -> Result<HttpResponse, ApiError> {
    let policy = policies
        .update(&caller.actor, PolicyId(id.into_inner()), body.0.into())
        .await?;
    Ok(ok(PolicyResponse::from(policy)))
}

/// Delete a policy and its runs (technicians and admins). Patches not yet sent are
/// cancelled; those sent keep their executions in `/api/v1/executions`.
#[utoipa::path(
    tag = "policies",
    security(("bearer" = ["technician"])),
    params(("id" = Uuid, Path, description = "Policy id")),
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/{id}")]
pub async fn delete_policy(
    policies: web::Data<PolicyService>,
    caller: Authorized<Global<Operate>>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let policy = PolicyId(id.into_inner());
    policies.delete(&caller.actor, policy).await?;
    Ok(ok_with_message(Null, "Policy deleted"))
}
