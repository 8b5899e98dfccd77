//! How client, site, agent-move and API-key errors reach the client.

use slimrmm_domain::agent::MoveAgentError;
use slimrmm_domain::apikey::ApiKeyError;
use slimrmm_domain::tenancy::{ClientError, SiteError};

use super::ApiError;
use super::agents::agent_not_found;
use super::domain::conflict;

impl From<ClientError> for ApiError {
    fn from(error: ClientError) -> Self {
        match error {
            ClientError::Forbidden(detail) => Self::forbidden(detail),
            ClientError::NotFound => Self::not_found(error.to_string()),
            ClientError::NameTaken => conflict("CLIENT_NAME_TAKEN", error),
            ClientError::HasAgents(_) => conflict("CLIENT_NOT_EMPTY", error),
            ClientError::Port(port) => port.into(),
        }
    }
}

impl From<SiteError> for ApiError {
    fn from(error: SiteError) -> Self {
        match error {
            SiteError::Forbidden(detail) => Self::forbidden(detail),
            SiteError::NotFound(_) => Self::not_found(error.to_string()),
            SiteError::NameTaken => conflict("SITE_NAME_TAKEN", error),
            SiteError::HasAgents(_) => conflict("SITE_NOT_EMPTY", error),
            SiteError::Port(port) => port.into(),
        }
    }
}

impl From<MoveAgentError> for ApiError {
    fn from(error: MoveAgentError) -> Self {
        match error {
            MoveAgentError::Forbidden => Self::forbidden(error.to_string()),
            MoveAgentError::NotFound => agent_not_found(),
            MoveAgentError::UnknownSite => {
                Self::invalid_field("site_id", "names no site you can see")
            }
            MoveAgentError::Port(port) => port.into(),
        }
    }
}

impl From<ApiKeyError> for ApiError {
    fn from(error: ApiKeyError) -> Self {
        match error {
            ApiKeyError::Forbidden(detail) => Self::forbidden(detail),
            ApiKeyError::NotFound(_) => Self::not_found(error.to_string()),
            ApiKeyError::Invalid(fields) => Self::invalid_fields(fields),
            ApiKeyError::Port(port) => port.into(),
        }
    }
}
