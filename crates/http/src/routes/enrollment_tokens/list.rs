use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use slimrmm_domain::enrollment::EnrollmentService;
use slimrmm_domain::enrollment::{EnrollmentTokenFilter, EnrollmentTokenSort};
use utoipa::IntoParams;

use crate::dto::{ApiResponse, EnrollmentTokenResponse, PageResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, ListParams, ListParamsDoc};

/// Filters of the token list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenFilterParams {
    /// Only revoked (`true`) or unrevoked (`false`) tokens.
    pub revoked: Option<bool>,
}

/// List enrollment tokens without their secrets (admins). `search` matches the name;
/// `sort_by` is one of `created_at` (default), `name`, `expires_at`.
#[utoipa::path(
    tag = "enrollment-tokens",
    security(("bearer" = ["admin"])),
    params(ListParamsDoc<EnrollmentTokenSort>, TokenFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<EnrollmentTokenResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_tokens(
    enrollment: web::Data<EnrollmentService>,
    caller: Authorized<Global<Administer>>,
    params: ListParams<EnrollmentTokenSort, TokenFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params
        .into_query()
        .map_filter(|filter| EnrollmentTokenFilter {
            revoked: filter.revoked,
        });
    let page = enrollment.list_tokens(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(
        page,
        EnrollmentTokenResponse::from,
    )))
}
