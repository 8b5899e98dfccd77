use actix_web::{HttpResponse, post, web};
use slimrmm_domain::auth::AuthService;

use crate::dto::{TokenResponse, token_answer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{BearerToken, ClientIp};

/// Exchange the refresh token (sent as `Authorization: Bearer <refresh_token>`) for a new
/// pair. Each refresh token works once; presenting a used one again revokes the whole session.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 401, description = "Not a live refresh token (`INVALID_TOKEN`, `TOKEN_EXPIRED`, `TOKEN_REVOKED`, `REFRESH_TOKEN_REUSED`)", body = ErrorBody),
    )
)]
#[post("/refresh")]
pub async fn refresh(
    auth: web::Data<AuthService>,
    token: BearerToken,
    ip: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let pair = auth.refresh(&token.0, ip.0).await?;
    Ok(token_answer(pair))
}
