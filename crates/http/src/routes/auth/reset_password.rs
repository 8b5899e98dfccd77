use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use slimrmm_domain::auth::AuthService;
use slimrmm_domain::user::Password;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rules::{self, parsed};
use crate::dto::{ApiResponse, Null, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ValidJson;

/// A reset token and the new password.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the reset mail.
    #[validate(length(min = 1, max = 256, message = "must be the token from the reset mail"))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    /// 12 to 256 characters.
    #[validate(custom(function = "rules::new_password"))]
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

/// Set a new password with a reset token. The token is used up and every session of the user
/// ends.
#[utoipa::path(
    tag = "auth",
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 400, description = "Unknown, used or expired token (`INVALID_RESET_TOKEN`)", body = ErrorBody),
        (status = 422, description = "The new password breaks the rules", body = ErrorBody),
    )
)]
#[post("/reset-password")]
pub async fn reset_password(
    auth: web::Data<AuthService>,
    body: ValidJson<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(request) = body;
    let password = parsed("new_password", Password::parse(request.new_password))?;
    auth.reset_password(&request.token, &password).await?;
    Ok(ok_with_message(
        Null,
        "Password changed; sign in with the new password.",
    ))
}
