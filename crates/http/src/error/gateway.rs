//! How command, telemetry and alert errors reach the client.

use actix_web::http::StatusCode;
use slimrmm_domain::alert::AlertError;
use slimrmm_domain::execution::{
    CancelExecutionError, CommandError, CreateExecutionError, GetExecutionError,
    ListExecutionsError,
};
use slimrmm_domain::inventory::InventoryError;
use slimrmm_domain::telemetry::MetricsError;

use super::ApiError;
use super::agents::agent_not_found;

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        match error {
            CommandError::UnknownAction => {
                ApiError::invalid_field("action", CommandError::UnknownAction)
            }
            CommandError::Param { field, message } => ApiError::invalid_field(field, message),
        }
    }
}

impl From<CreateExecutionError> for ApiError {
    fn from(error: CreateExecutionError) -> Self {
        match error {
            CreateExecutionError::Forbidden => Self::forbidden(error.to_string()),
            CreateExecutionError::AgentNotFound => agent_not_found(),
            // `AGENT_NOT_APPROVED` (403) is the agent's own answer when it is not approved yet;
            // a technician commanding such an agent meets a state to resolve first.
            CreateExecutionError::AgentNotApproved => Self::new(
                StatusCode::CONFLICT,
                "APPROVAL_REQUIRED",
                "the agent is not approved: approve it before sending it commands",
            ),
            CreateExecutionError::InvalidExpiry { .. } => Self::invalid_field("expires_in", error),
            CreateExecutionError::Port(port) => port.into(),
        }
    }
}

impl From<ListExecutionsError> for ApiError {
    fn from(error: ListExecutionsError) -> Self {
        match error {
            ListExecutionsError::Forbidden => Self::forbidden(error.to_string()),
            ListExecutionsError::Port(port) => port.into(),
        }
    }
}

impl From<GetExecutionError> for ApiError {
    fn from(error: GetExecutionError) -> Self {
        match error {
            GetExecutionError::Forbidden => Self::forbidden(error.to_string()),
            GetExecutionError::NotFound => Self::not_found(error.to_string()),
            GetExecutionError::Port(port) => port.into(),
        }
    }
}

impl From<CancelExecutionError> for ApiError {
    fn from(error: CancelExecutionError) -> Self {
        match error {
            CancelExecutionError::Forbidden => Self::forbidden(error.to_string()),
            CancelExecutionError::NotFound => Self::not_found(error.to_string()),
            CancelExecutionError::NotQueued(_) => {
                Self::new(StatusCode::CONFLICT, "NOT_QUEUED", error.to_string())
            }
            CancelExecutionError::Port(port) => port.into(),
        }
    }
}

impl From<MetricsError> for ApiError {
    fn from(error: MetricsError) -> Self {
        match error {
            MetricsError::Forbidden => Self::forbidden(error.to_string()),
            MetricsError::AgentNotFound => agent_not_found(),
            MetricsError::InvalidWindow(detail) => Self::invalid_field("from", detail),
            MetricsError::Port(port) => port.into(),
        }
    }
}

impl From<InventoryError> for ApiError {
    fn from(error: InventoryError) -> Self {
        match error {
            InventoryError::Forbidden => Self::forbidden(error.to_string()),
            InventoryError::AgentNotFound => agent_not_found(),
            InventoryError::Port(port) => port.into(),
        }
    }
}

impl From<slimrmm_domain::audit::AuditError> for ApiError {
    fn from(error: slimrmm_domain::audit::AuditError) -> Self {
        use slimrmm_domain::audit::AuditError;
        match error {
            AuditError::Forbidden => ApiError::forbidden(error.to_string()),
            AuditError::InvalidRange => ApiError::invalid_field("until", "must be after since"),
            AuditError::OutOfRange(field) => {
                ApiError::invalid_field(field, slimrmm_domain::clock::OUT_OF_RANGE)
            }
            AuditError::Port(port) => port.into(),
        }
    }
}

impl From<AlertError> for ApiError {
    fn from(error: AlertError) -> Self {
        match error {
            AlertError::Forbidden => Self::forbidden(error.to_string()),
            AlertError::NotFound => Self::not_found(error.to_string()),
            AlertError::Port(port) => port.into(),
        }
    }
}

impl From<slimrmm_domain::gateway::AdmitError> for ApiError {
    fn from(error: slimrmm_domain::gateway::AdmitError) -> Self {
        use slimrmm_domain::gateway::AdmitError;
        match error {
            AdmitError::UnknownAgent => agent_not_found(),
            AdmitError::NotApproved => ApiError::new(
                StatusCode::FORBIDDEN,
                "AGENT_NOT_APPROVED",
                "the agent is not approved",
            ),
            AdmitError::Port(port) => port.into(),
        }
    }
}
