use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use slimrmm_domain::agent::{AgentFacts, AgentId, AgentVersion, Arch, Hostname};
use slimrmm_domain::enrollment::EnrollmentService;
use slimrmm_domain::enrollment::{RegistrationRequest, Reinstall};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::dto::MtlsBundle;
use crate::dto::rules::{self, parsed};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AgentHeaders, ValidJson};

/// What the agent sends to register (`RegistrationRequest` in the agent).
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RegisterBody {
    /// `linux`, `darwin` or `windows`.
    #[validate(custom(function = "rules::os"))]
    #[schema(example = "linux", pattern = "^(linux|darwin|windows)$")]
    pub os: String,
    /// CPU architecture.
    #[validate(custom(function = "rules::arch"))]
    #[schema(example = "x86_64", min_length = 1, max_length = 32)]
    pub arch: String,
    /// Host name.
    #[validate(custom(function = "rules::hostname"))]
    #[schema(example = "web-01", min_length = 1, max_length = 253)]
    pub hostname: String,
    /// Agent version.
    #[validate(custom(function = "rules::agent_version"))]
    #[schema(example = "2.3.14", min_length = 1, max_length = 64)]
    pub agent_version: String,
    /// The enrollment token, when not sent as `X-Registration-Key`.
    pub token: Option<String>,
    /// On re-install: the uuid the agent had.
    pub existing_uuid: Option<String>,
    /// On re-install: the secret it was given, proving it owns `existing_uuid`.
    pub reregistration_secret: Option<String>,
}

/// The agent's registration result (`RegistrationResponse` in the agent).
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationResponse {
    /// The agent's identity.
    pub uuid: Uuid,
    /// `pending`, `approved` or `rejected`.
    #[schema(example = "pending")]
    pub status: &'static str,
    /// Authenticates status polls and certificate fetches (`X-Registration-Token`).
    pub registration_token: String,
    /// Keep it: it proves ownership of this uuid on re-install.
    pub reregistration_secret: String,
    /// For people.
    pub message: &'static str,
    /// The certificate bundle, when the agent is approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtls: Option<MtlsBundle>,
}

impl RegisterBody {
    fn into_domain(self, key_header: Option<String>) -> Result<RegistrationRequest, ApiError> {
        let facts = AgentFacts {
            hostname: parsed("hostname", Hostname::parse(&self.hostname))?,
            os: parsed("os", self.os.parse())?,
            arch: parsed("arch", Arch::parse(&self.arch))?,
            agent_version: parsed("agent_version", AgentVersion::parse(&self.agent_version))?,
        };
        let reinstall = match (
            self.existing_uuid.filter(|u| !u.is_empty()),
            self.reregistration_secret,
        ) {
            (None, _) => None,
            (Some(uuid), secret) => Some(Reinstall {
                agent: parsed("existing_uuid", uuid.parse::<AgentId>())?,
                secret: secret.filter(|secret| !secret.is_empty()).ok_or_else(|| {
                    ApiError::invalid_field(
                        "reregistration_secret",
                        "is required with existing_uuid",
                    )
                })?,
            }),
        };
        Ok(RegistrationRequest {
            facts,
            enrollment_key: key_header.or(self.token.filter(|token| !token.is_empty())),
            reinstall,
        })
    }
}

/// Registers an agent; shared by the current and the legacy path.
pub(crate) async fn register_agent(
    enrollment: &EnrollmentService,
    headers: AgentHeaders,
    body: RegisterBody,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_domain(headers.registration_key)?;
    let registration = enrollment.register(request).await?;
    let status = registration.agent.status.enrollment();
    let message = match status {
        "approved" => "Agent registered and approved",
        "rejected" => "Agent registration was rejected",
        _ => "Agent registered; waiting for approval",
    };
    let response = RegistrationResponse {
        uuid: registration.agent.id.0,
        status,
        registration_token: registration.registration_token.expose().to_owned(),
        reregistration_secret: registration.reregistration_secret.expose().to_owned(),
        message,
        mtls: registration.certificate.map(MtlsBundle::from),
    };
    let mut reply = if registration.created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(reply
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(response))
}

/// Register an agent with an enrollment token (`X-Registration-Key` header or `token`), or
/// re-register a re-installed one (`existing_uuid` + `reregistration_secret`: same uuid, fresh
/// secrets and certificate). 201 for a new agent, 200 for a re-installed one; the certificate
/// bundle comes at once when the token approves automatically.
#[utoipa::path(
    tag = "agent",
    params(("X-Registration-Key" = Option<String>, Header, description = "The enrollment token")),
    request_body = RegisterBody,
    responses(
        (status = 201, description = "A new agent", body = RegistrationResponse),
        (status = 200, description = "A re-installed agent", body = RegistrationResponse),
        (status = 401, description = "Missing, unknown, revoked, expired or used-up token, or wrong re-registration secret", body = ErrorBody),
        (status = 404, description = "`existing_uuid` names no agent and no token was given", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
#[post("/register")]
pub async fn register(
    enrollment: web::Data<EnrollmentService>,
    headers: AgentHeaders,
    body: ValidJson<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    register_agent(&enrollment, headers, body.0).await
}
