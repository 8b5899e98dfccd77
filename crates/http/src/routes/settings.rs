//! `/api/v1/settings`: the server's security policy (admins).

use actix_web::{HttpResponse, get, put, web};
use serde::{Deserialize, Serialize};
use slimrmm_domain::auth::{AuthService, SecurityPolicy};
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::{ApiResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, SignedIn, ValidJson};

/// The security policy.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicyBody {
    /// Everyone must sign in with a second factor: a user without one may only enrol it
    /// (every other call answers 403 `TWO_FACTOR_REQUIRED`).
    pub require_two_factor: bool,
}

impl From<SecurityPolicy> for SecurityPolicyBody {
    fn from(policy: SecurityPolicy) -> Self {
        Self {
            require_two_factor: policy.require_two_factor,
        }
    }
}

/// The security policy (admins).
#[utoipa::path(
    tag = "settings",
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, body = ApiResponse<SecurityPolicyBody>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
#[get("/security")]
pub async fn get_security_policy(
    auth: web::Data<AuthService>,
    caller: Authorized<Global<Administer>>,
) -> Result<HttpResponse, ApiError> {
    let policy = auth.security_policy(&caller.actor).await?;
    Ok(ok(SecurityPolicyBody::from(policy)))
}

/// Replace the security policy (admins); audited. It applies at every session's next request,
/// on every server process. Turn on your own second factor first, or you too may only enrol.
#[utoipa::path(
    tag = "settings",
    security(("bearer" = ["admin"])),
    request_body = SecurityPolicyBody,
    responses(
        (status = 200, body = ApiResponse<SecurityPolicyBody>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/security")]
pub async fn put_security_policy(
    auth: web::Data<AuthService>,
    caller: Authorized<SignedIn<Global<Administer>>>,
    body: ValidJson<SecurityPolicyBody>,
) -> Result<HttpResponse, ApiError> {
    let policy = SecurityPolicy {
        require_two_factor: body.0.require_two_factor,
    };
    let policy = auth.set_security_policy(&caller.actor, policy).await?;
    Ok(ok(SecurityPolicyBody::from(policy)))
}
