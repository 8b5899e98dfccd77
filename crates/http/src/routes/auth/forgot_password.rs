use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use slimrmm_domain::auth::AuthService;
use slimrmm_domain::user::Email;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rules::{self, parsed};
use crate::dto::{ApiResponse, Null, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ValidJson;

/// Whose password to reset.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    /// The account's email address.
    #[validate(custom(function = "rules::email"))]
    #[schema(example = "jane@example.com")]
    pub email: String,
}

/// Ask for a password-reset mail. The answer is the same whether or not the address has an
/// account; when it belongs to an active user, a single-use token valid for one hour is mailed
/// to that address.
#[utoipa::path(
    tag = "auth",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 422, description = "Not an email address", body = ErrorBody),
    )
)]
#[post("/forgot-password")]
pub async fn forgot_password(
    auth: web::Data<AuthService>,
    body: ValidJson<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = parsed("email", Email::parse(&body.0.email))?;
    auth.forgot_password(&email).await?;
    Ok(ok_with_message(
        Null,
        "If this address belongs to an active account, a password-reset link has been sent to it.",
    ))
}
