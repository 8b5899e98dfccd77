use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::AgentAuthMode;
use slimrmm_domain::enrollment::AgentIdentityService;
use slimrmm_domain::enrollment::EnrollmentService;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::MtlsBundle;
use crate::error::{ApiError, ErrorBody};
use crate::extract::AgentHeaders;

/// An approved agent's certificate bundle.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateResponse {
    /// The agent.
    pub uuid: Uuid,
    /// Always `approved`.
    #[schema(example = "approved")]
    pub status: &'static str,
    /// The bundle.
    pub mtls: MtlsBundle,
}

/// An approved agent fetches its client certificate (a fresh one on each call; earlier ones
/// stay valid until they expire).
#[utoipa::path(
    tag = "agent",
    security(("registration_token" = [])),
    params(
        ("uuid" = Uuid, Path, description = "The agent"),
        ("X-Agent-UUID" = String, Header, description = "The agent, again"),
    ),
    responses(
        (status = 200, body = CertificateResponse),
        (status = 401, description = "Missing or wrong credentials", body = ErrorBody),
        (status = 403, description = "Not approved (`AGENT_NOT_APPROVED`) or rejected (`AGENT_REJECTED`)", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
        (status = 409, description = "With `SLIMRMM_AGENT_AUTH=mtls`: the agent already holds a certificate (`CERTIFICATE_ALREADY_ISSUED`); renew it with that certificate", body = ErrorBody),
    )
)]
#[get("/certificate/{uuid}")]
pub async fn certificate(
    enrollment: web::Data<EnrollmentService>,
    identity: web::Data<AgentIdentityService>,
    uuid: web::Path<Uuid>,
    headers: AgentHeaders,
) -> Result<HttpResponse, ApiError> {
    let credentials = headers.credentials(AgentId(uuid.into_inner()));
    let (agent, issued) = match identity.mode() {
        AgentAuthMode::Mtls => enrollment.fetch_first_certificate(credentials).await?,
        AgentAuthMode::Uuid => enrollment.fetch_certificate(credentials).await?,
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CertificateResponse {
            uuid: agent.id.0,
            status: "approved",
            mtls: issued.into(),
        }))
}
