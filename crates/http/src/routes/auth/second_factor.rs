use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use slimrmm_domain::auth::AuthService;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::{TokenResponse, token_answer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ClientIp, ValidJson};

/// The password step's challenge and a code.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorRequest {
    /// The `challenge` the password step answered.
    #[validate(length(
        min = 1,
        max = 256,
        message = "must be the challenge from the password step"
    ))]
    #[schema(min_length = 1, max_length = 256)]
    pub challenge: String,
    /// The authenticator's six digits, or an unused recovery code (`abcd-efgh-ijkl`).
    #[validate(length(min = 6, max = 32, message = "must be six digits or a recovery code"))]
    #[schema(min_length = 6, max_length = 32, example = "123456")]
    pub code: String,
}

/// Finish a two-factor sign-in: the challenge from `POST /api/v1/auth/login` and a code. Each
/// authenticator code is accepted once; a recovery code is used up. Five wrong codes lock the
/// challenge: sign in with the password again.
#[utoipa::path(
    tag = "auth",
    request_body = SecondFactorRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "The challenge is unknown, lapsed, used or locked (`INVALID_CHALLENGE`), the code is wrong (`INVALID_CODE`) or was already used (`CODE_ALREADY_USED`)", body = ErrorBody),
        (status = 403, description = "The account was disabled meanwhile (`ACCOUNT_DISABLED`)", body = ErrorBody),
    )
)]
#[post("/login/second-factor")]
pub async fn second_factor(
    auth: web::Data<AuthService>,
    ip: ClientIp,
    body: ValidJson<SecondFactorRequest>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(request) = body;
    let pair = auth
        .complete_login(&request.challenge, &request.code, ip.0)
        .await?;
    Ok(token_answer(pair))
}
