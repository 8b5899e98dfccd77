use actix_web::{HttpResponse, get, web};
use slimrmm_domain::user::UserId;

use crate::AppState;
use crate::dto::{ApiResponse, UserResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Read};

/// Read a user: admins read anyone, everyone else only themselves.
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["viewer"])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = ApiResponse<UserResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Authorized<Read>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = state
        .users
        .get(&caller.actor, UserId(id.into_inner()))
        .await?;
    Ok(ok(UserResponse::from(user)))
}
