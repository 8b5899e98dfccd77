use actix_web::{HttpResponse, delete, web};
use slimrmm_domain::auth::AuthService;
use slimrmm_domain::user::UserId;

use crate::dto::{ApiResponse, Null, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, SignedIn};

/// Reset a user's second factor (admins): a lost phone. They sign in with the password
/// alone and can enrol again. Audited.
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/{id}/2fa")]
pub async fn reset_two_factor(
    auth: web::Data<AuthService>,
    caller: Authorized<SignedIn<Global<Administer>>>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    auth.reset_two_factor(&caller.actor, UserId(id.into_inner()))
        .await?;
    Ok(ok_with_message(Null, "Two-factor sign-in reset"))
}
