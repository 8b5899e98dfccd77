use actix_web::{HttpResponse, delete, web};
use slimrmm_domain::enrollment::EnrollmentService;
use slimrmm_domain::enrollment::EnrollmentTokenId;

use crate::dto::{ApiResponse, EnrollmentTokenResponse, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global};

/// Revoke an enrollment token (admins): it enrolls no more agents; those it enrolled stay.
#[utoipa::path(
    tag = "enrollment-tokens",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 200, body = ApiResponse<EnrollmentTokenResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/{id}")]
pub async fn revoke_token(
    enrollment: web::Data<EnrollmentService>,
    caller: Authorized<Global<Administer>>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let token = enrollment
        .revoke_token(&caller.actor, EnrollmentTokenId(id.into_inner()))
        .await?;
    Ok(ok_with_message(
        EnrollmentTokenResponse::from(token),
        "Enrollment token revoked",
    ))
}
