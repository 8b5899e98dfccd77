//! The caller's own second factor: status, enrolment, activation, turning it off.

use actix_web::{HttpResponse, delete, get, post, web};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use slimrmm_domain::auth::{AuthService, TwoFactorStatus};
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::{ApiResponse, Null, no_store, ok, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Enrolling, SignedIn, ValidJson};

/// A user's second factor.
#[derive(Debug, Serialize, ToSchema)]
pub struct TwoFactorStatusResponse {
    /// Sign-in asks for a code.
    pub enabled: bool,
    /// Enrolled, awaiting the first code (`POST /api/v1/auth/2fa/activate`).
    pub pending: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
}

impl From<TwoFactorStatus> for TwoFactorStatusResponse {
    fn from(status: TwoFactorStatus) -> Self {
        Self {
            enabled: status.active,
            pending: status.pending,
            recovery_codes_left: status.recovery_codes_left,
        }
    }
}

/// What enrolment shows once.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrolmentResponse {
    /// The TOTP secret (base32), for typing into an authenticator app.
    pub secret: String,
    /// The `otpauth://totp/...` URI.
    pub otpauth_uri: String,
    /// The URI as a QR code: an SVG image.
    pub qr_svg: String,
}

/// The recovery codes, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecoveryCodesResponse {
    /// Ten single-use codes, each good instead of the authenticator's code once.
    pub recovery_codes: Vec<String>,
}

/// A code from the authenticator (or, to turn it off, a recovery code).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// Six digits, or a recovery code.
    #[validate(length(min = 6, max = 32, message = "must be six digits or a recovery code"))]
    #[schema(min_length = 6, max_length = 32, example = "123456")]
    pub code: String,
}

/// Your second factor: on, pending or off, and the recovery codes left.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = ["viewer"])),
    responses(
        (status = 200, body = ApiResponse<TwoFactorStatusResponse>),
        (status = 401, body = ErrorBody),
    )
)]
#[get("/2fa")]
pub async fn two_factor_status(
    auth: web::Data<AuthService>,
    caller: Authorized<SignedIn<Enrolling>>,
) -> Result<HttpResponse, ApiError> {
    let status = auth.two_factor_status(&caller.actor).await?;
    Ok(ok(TwoFactorStatusResponse::from(status)))
}

/// Start two-factor sign-in: a new secret, its `otpauth://` URI and QR code, shown once. It
/// is pending until `POST /api/v1/auth/2fa/activate` gets a code from it; enrolling again
/// replaces a pending secret.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = ["viewer"])),
    responses(
        (status = 200, body = ApiResponse<EnrolmentResponse>),
        (status = 401, body = ErrorBody),
        (status = 409, description = "Already on (`TWO_FACTOR_ACTIVE`): turn it off first", body = ErrorBody),
    )
)]
#[post("/2fa/enroll")]
pub async fn enrol_two_factor(
    auth: web::Data<AuthService>,
    caller: Authorized<SignedIn<Enrolling>>,
) -> Result<HttpResponse, ApiError> {
    let enrolment = auth.enrol_two_factor(&caller.actor).await?;
    let body = EnrolmentResponse {
        secret: enrolment.secret.expose_secret().to_owned(),
        otpauth_uri: enrolment.provisioning.uri,
        qr_svg: enrolment.provisioning.qr_svg,
    };
    Ok(no_store(ok(body)))
}

/// Turn two-factor sign-in on with a code from the enrolled secret; answers the ten recovery
/// codes, shown once.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = ["viewer"])),
    request_body = CodeRequest,
    responses(
        (status = 200, body = ApiResponse<RecoveryCodesResponse>),
        (status = 401, body = ErrorBody),
        (status = 409, description = "Not enrolled (`TWO_FACTOR_NOT_ENROLLED`) or already on (`TWO_FACTOR_ACTIVE`)", body = ErrorBody),
        (status = 422, description = "The code is wrong", body = ErrorBody),
    )
)]
#[post("/2fa/activate")]
pub async fn activate_two_factor(
    auth: web::Data<AuthService>,
    caller: Authorized<SignedIn<Enrolling>>,
    body: ValidJson<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let codes = auth
        .activate_two_factor(&caller.actor, &body.0.code)
        .await?;
    let body = RecoveryCodesResponse {
        recovery_codes: codes
            .iter()
            .map(|code| code.expose_secret().to_owned())
            .collect(),
    };
    Ok(no_store(ok(body)))
}

/// Turn your two-factor sign-in off, with a current code or a recovery code.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = ["viewer"])),
    request_body = CodeRequest,
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 409, description = "Not on (`TWO_FACTOR_NOT_ENROLLED`)", body = ErrorBody),
        (status = 422, description = "The code is wrong", body = ErrorBody),
    )
)]
#[delete("/2fa")]
pub async fn disable_two_factor(
    auth: web::Data<AuthService>,
    caller: Authorized<SignedIn<Enrolling>>,
    body: ValidJson<CodeRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.disable_two_factor(&caller.actor, &body.0.code).await?;
    Ok(ok_with_message(Null, "Two-factor sign-in is off"))
}
