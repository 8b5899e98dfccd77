use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use serde_json::json;
use slimrmm_domain::audit::AuditRecord;
use slimrmm_domain::auth::RefreshError;

use crate::AppState;
use crate::dto::TokenResponse;
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
    state: web::Data<AppState>,
    token: BearerToken,
    ip: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let pair = state.auth.refresh(&token.0).await;
    if let Err(RefreshError::TokenReused) = &pair {
        let record = AuditRecord::anonymous("auth.refresh_reuse", None)
            .from(ip.0)
            .failed()
            .details(json!({"effect": "the session was revoked"}));
        state.audit.record(record).await;
    }
    let pair = pair?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TokenResponse::from(pair)))
}
