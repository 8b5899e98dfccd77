use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::EnrollmentService;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::extract::AgentHeaders;

/// Where an enrollment stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentStatusResponse {
    /// `pending`, `approved` or `rejected`.
    #[schema(example = "approved")]
    pub status: &'static str,
    /// For people.
    pub message: &'static str,
}

/// The agent polls this until an admin approves or rejects it.
#[utoipa::path(
    tag = "agent",
    security(("registration_token" = [])),
    params(
        ("uuid" = Uuid, Path, description = "The agent"),
        ("X-Agent-UUID" = String, Header, description = "The agent, again"),
    ),
    responses(
        (status = 200, body = EnrollmentStatusResponse),
        (status = 401, description = "Missing or wrong credentials", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
    )
)]
#[get("/status/{uuid}")]
pub async fn enrollment_status(
    enrollment: web::Data<EnrollmentService>,
    uuid: web::Path<Uuid>,
    headers: AgentHeaders,
) -> Result<HttpResponse, ApiError> {
    let agent = enrollment
        .enrollment_status(headers.credentials(AgentId(uuid.into_inner())))
        .await?;
    let status = agent.status.enrollment();
    let message = match status {
        "approved" => "Agent approved; fetch the certificate",
        "rejected" => "Agent registration was rejected",
        _ => "Waiting for an administrator to approve this agent",
    };
    Ok(HttpResponse::Ok().json(EnrollmentStatusResponse { status, message }))
}
