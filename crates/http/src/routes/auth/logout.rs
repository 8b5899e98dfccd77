use actix_web::{HttpResponse, post, web};

use crate::dto::{ApiResponse, Null, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::BearerToken;
use slimrmm_domain::auth::AuthService;

/// Sign out: revokes the session of the presented token (access or refresh). From the next
/// request on, both tokens of the session get 401 `TOKEN_REVOKED`, on every server.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed out", body = ApiResponse<Null>),
        (status = 401, description = "Not a live token", body = ErrorBody),
    )
)]
#[post("/logout")]
pub async fn logout(
    auth: web::Data<AuthService>,
    token: BearerToken,
) -> Result<HttpResponse, ApiError> {
    auth.logout(&token.0).await?;
    Ok(ok_with_message(Null, "Logged out"))
}
