//! How agent and enrollment errors reach the client.

use actix_web::http::StatusCode;
use slimrmm_domain::agent::{
    DeleteAgentError, GetAgentError, ListAgentsError, ReviewAgentError, UpdateAgentError,
};
use slimrmm_domain::enrollment::{
    AgentAuthError, CreateTokenError, IdentityError, ListTokensError, RegisterError,
    RevokeTokenError,
};

use super::ApiError;

/// 404 `AGENT_NOT_FOUND`, whatever use case looked for the agent.
pub(super) fn agent_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "AGENT_NOT_FOUND", "agent not found")
}

impl From<RegisterError> for ApiError {
    fn from(error: RegisterError) -> Self {
        let detail = error.to_string();
        let unauthorized = |code| Self::unauthorized(code, detail.clone());
        match error {
            RegisterError::KeyRequired => unauthorized("ENROLLMENT_TOKEN_REQUIRED"),
            RegisterError::KeyInvalid => unauthorized("INVALID_ENROLLMENT_TOKEN"),
            RegisterError::KeyRevoked => unauthorized("ENROLLMENT_TOKEN_REVOKED"),
            RegisterError::KeyExpired => unauthorized("ENROLLMENT_TOKEN_EXPIRED"),
            RegisterError::KeyExhausted => unauthorized("ENROLLMENT_TOKEN_EXHAUSTED"),
            RegisterError::UnknownAgent => agent_not_found(),
            RegisterError::WrongReregistrationSecret => {
                unauthorized("INVALID_REREGISTRATION_SECRET")
            }
            RegisterError::Port(port) => port.into(),
        }
    }
}

impl From<AgentAuthError> for ApiError {
    fn from(error: AgentAuthError) -> Self {
        let detail = error.to_string();
        match error {
            AgentAuthError::MissingCredentials => {
                Self::unauthorized("REGISTRATION_CREDENTIALS_REQUIRED", detail)
            }
            AgentAuthError::UuidMismatch => Self::unauthorized("AGENT_UUID_MISMATCH", detail),
            AgentAuthError::InvalidToken => {
                Self::unauthorized("INVALID_REGISTRATION_TOKEN", detail)
            }
            AgentAuthError::UnknownAgent => agent_not_found(),
            AgentAuthError::NotApproved => {
                Self::new(StatusCode::FORBIDDEN, "AGENT_NOT_APPROVED", detail)
            }
            AgentAuthError::Rejected => Self::new(StatusCode::FORBIDDEN, "AGENT_REJECTED", detail),
            AgentAuthError::CertificateRevoked => {
                Self::unauthorized("CLIENT_CERTIFICATE_REVOKED", detail)
            }
            AgentAuthError::CertificateAlreadyIssued => {
                Self::new(StatusCode::CONFLICT, "CERTIFICATE_ALREADY_ISSUED", detail)
            }
            AgentAuthError::Port(port) => port.into(),
        }
    }
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        let detail = error.to_string();
        match error {
            IdentityError::Missing => Self::unauthorized("CLIENT_CERTIFICATE_REQUIRED", detail),
            IdentityError::Rejected(_) | IdentityError::Unknown(_) => {
                Self::unauthorized("CLIENT_CERTIFICATE_INVALID", detail)
            }
            IdentityError::Revoked(_) => Self::unauthorized("CLIENT_CERTIFICATE_REVOKED", detail),
            IdentityError::Mismatch { .. } => {
                Self::new(StatusCode::FORBIDDEN, "CLIENT_CERTIFICATE_MISMATCH", detail)
            }
            IdentityError::Port(port) => port.into(),
        }
    }
}

impl From<ListAgentsError> for ApiError {
    fn from(error: ListAgentsError) -> Self {
        match error {
            ListAgentsError::Forbidden => Self::forbidden(error.to_string()),
            ListAgentsError::Port(port) => port.into(),
        }
    }
}

impl From<GetAgentError> for ApiError {
    fn from(error: GetAgentError) -> Self {
        match error {
            GetAgentError::Forbidden => Self::forbidden(error.to_string()),
            GetAgentError::NotFound => agent_not_found(),
            GetAgentError::Port(port) => port.into(),
        }
    }
}

impl From<ReviewAgentError> for ApiError {
    fn from(error: ReviewAgentError) -> Self {
        match error {
            ReviewAgentError::Forbidden => Self::forbidden(error.to_string()),
            ReviewAgentError::NotFound => agent_not_found(),
            ReviewAgentError::InvalidState(detail) => {
                Self::new(StatusCode::CONFLICT, "INVALID_AGENT_STATE", detail)
            }
            ReviewAgentError::Port(port) => port.into(),
        }
    }
}

impl From<UpdateAgentError> for ApiError {
    fn from(error: UpdateAgentError) -> Self {
        match error {
            UpdateAgentError::Forbidden => Self::forbidden(error.to_string()),
            UpdateAgentError::NotFound => agent_not_found(),
            UpdateAgentError::Port(port) => port.into(),
        }
    }
}

impl From<DeleteAgentError> for ApiError {
    fn from(error: DeleteAgentError) -> Self {
        match error {
            DeleteAgentError::Forbidden => Self::forbidden(error.to_string()),
            DeleteAgentError::NotFound => agent_not_found(),
            DeleteAgentError::Port(port) => port.into(),
        }
    }
}

impl From<CreateTokenError> for ApiError {
    fn from(error: CreateTokenError) -> Self {
        match error {
            CreateTokenError::Forbidden => Self::forbidden(error.to_string()),
            CreateTokenError::ExpiresInPast => {
                Self::invalid_field("expires_at", "must be in the future")
            }
            CreateTokenError::UnknownSite => Self::invalid_field("site_id", "names no site"),
            CreateTokenError::Port(port) => port.into(),
        }
    }
}

impl From<ListTokensError> for ApiError {
    fn from(error: ListTokensError) -> Self {
        match error {
            ListTokensError::Forbidden => Self::forbidden(error.to_string()),
            ListTokensError::Port(port) => port.into(),
        }
    }
}

impl From<RevokeTokenError> for ApiError {
    fn from(error: RevokeTokenError) -> Self {
        match error {
            RevokeTokenError::Forbidden => Self::forbidden(error.to_string()),
            RevokeTokenError::NotFound => Self::not_found(error.to_string()),
            RevokeTokenError::Port(port) => port.into(),
        }
    }
}
