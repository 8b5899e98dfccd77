use actix_web::{HttpResponse, get};

use crate::dto::{ApiResponse, UserResponse, ok};
use crate::error::ErrorBody;
use crate::extract::{Authorized, Enrolling};

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = ["viewer"])),
    responses(
        (status = 200, body = ApiResponse<UserResponse>),
        (status = 401, body = ErrorBody),
    )
)]
#[get("/me")]
pub async fn me(caller: Authorized<Enrolling>) -> HttpResponse {
    ok(UserResponse::from(caller.actor.user))
}
