use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use slimrmm_domain::user::UserService;
use slimrmm_domain::user::{UserFilter, UserSort};
use utoipa::IntoParams;

use crate::dto::{ApiResponse, PageResponse, RoleDto, UserResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, ListParams, ListParamsDoc};

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilterParams {
    /// Only users with this role.
    pub role: Option<RoleDto>,
    /// Only active (`true`) or inactive (`false`) users.
    pub is_active: Option<bool>,
}

impl From<UserFilterParams> for UserFilter {
    fn from(params: UserFilterParams) -> Self {
        UserFilter {
            role: params.role.map(Into::into),
            is_active: params.is_active,
        }
    }
}

/// List users (admins). `search` matches username, email and full name; `sort_by` is one of
/// `username` (default), `email`, `created_at`, `last_login_at`.
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["admin"])),
    params(ListParamsDoc<UserSort>, UserFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<UserResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "A query parameter is invalid", body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_users(
    users: web::Data<UserService>,
    caller: Authorized<Global<Administer>>,
    params: ListParams<UserSort, UserFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_query().map_filter(UserFilter::from);
    let page = users.list(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, UserResponse::from)))
}
