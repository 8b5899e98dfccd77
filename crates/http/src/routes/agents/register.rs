use actix_web::{HttpResponse, post, web};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{AgentHeaders, ValidJson};
use crate::routes::enrollment::register::{RegisterBody, RegistrationResponse, register_agent};
use slimrmm_domain::enrollment::EnrollmentService;

/// Register an agent: the legacy path the agent falls back to when
/// `POST /api/v1/enrollment/register` answers 404. Same behaviour.
#[utoipa::path(
    tag = "agent",
    params(("X-Registration-Key" = Option<String>, Header, description = "The enrollment token")),
    request_body = RegisterBody,
    responses(
        (status = 201, description = "A new agent", body = RegistrationResponse),
        (status = 200, description = "A re-installed agent", body = RegistrationResponse),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/register")]
pub async fn register_legacy(
    enrollment: web::Data<EnrollmentService>,
    headers: AgentHeaders,
    body: ValidJson<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    register_agent(&enrollment, headers, body.0).await
}
