use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use secrecy::ExposeSecret;
use serde::Serialize;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::AgentIdentityService;
use slimrmm_domain::enrollment::EnrollmentService;
use slimrmm_domain::enrollment::{AgentAuthError, AgentAuthMode, Renewal};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{AgentHeaders, ClientCertificate};

/// A renewed certificate bundle (the agent's `{ca_cert, client_cert, client_key}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct RenewedCertificate {
    /// The CA certificate (PEM).
    pub ca_cert: String,
    /// The new client certificate (PEM).
    pub client_cert: String,
    /// Its private key (PKCS#8 PEM).
    pub client_key: String,
}

/// Renew the agent's certificate: 304 while the newest one has more than 30 days left, else a
/// new bundle (the old certificate stays valid until it expires). With
/// `SLIMRMM_AGENT_AUTH=mtls` the agent proves who it is with its current client certificate
/// (and `X-Agent-UUID` must name it); otherwise with its registration credentials.
#[utoipa::path(
    tag = "agent",
    security(("registration_token" = [])),
    params(
        ("uuid" = Uuid, Path, description = "The agent"),
        ("X-Agent-UUID" = String, Header, description = "The agent, again"),
    ),
    responses(
        (status = 200, body = RenewedCertificate),
        (status = 304, description = "The current certificate is good for more than 30 days"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[post("/{uuid}/renew-cert")]
pub async fn renew_cert(
    enrollment: web::Data<EnrollmentService>,
    identity: web::Data<AgentIdentityService>,
    uuid: web::Path<Uuid>,
    headers: AgentHeaders,
    certificate: ClientCertificate,
) -> Result<HttpResponse, ApiError> {
    let agent = AgentId(uuid.into_inner());
    let renewal = match identity.mode() {
        AgentAuthMode::Uuid => {
            enrollment
                .renew_certificate(headers.credentials(agent))
                .await?
        }
        AgentAuthMode::Mtls => {
            let named = headers.agent_uuid.as_deref().map(str::parse::<AgentId>);
            if named.and_then(Result::ok) != Some(agent) {
                return Err(AgentAuthError::UuidMismatch.into());
            }
            let presented = identity
                .verify_certificate(agent, certificate.der())
                .await
                .inspect_err(|error| {
                    tracing::warn!(agent = %agent, reason = %error, "certificate renewal refused");
                })?;
            enrollment.renew_verified_certificate(&presented).await?
        }
    };
    Ok(match renewal {
        Renewal::NotNeeded => HttpResponse::NotModified().finish(),
        Renewal::Renewed(issued) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(RenewedCertificate {
                ca_cert: issued.ca_certificate_pem,
                client_cert: issued.certificate_pem,
                client_key: issued.private_key_pem.expose_secret().to_owned(),
            }),
    })
}
