//! How script and policy errors reach the client.

use actix_web::http::StatusCode;
use slimrmm_domain::InvalidField;
use slimrmm_domain::notification::IntegrationError;
use slimrmm_domain::policy::{PolicyError, ReadRunsError, RunPolicyError, ScanPolicyError};
use slimrmm_domain::script::{ExecuteScriptError, ScriptError};

use super::{ApiError, FieldError};

impl ApiError {
    /// 422 naming each field a domain rule refused.
    pub fn invalid_fields(fields: Vec<InvalidField>) -> Self {
        Self::validation(
            fields
                .into_iter()
                .map(|field| FieldError::new(field.field, field.message))
                .collect(),
        )
    }
}

impl From<ScriptError> for ApiError {
    fn from(error: ScriptError) -> Self {
        match error {
            ScriptError::Forbidden(detail) => Self::forbidden(detail),
            ScriptError::NotFound => Self::not_found("script not found"),
            ScriptError::Invalid(fields) => Self::invalid_fields(fields),
            ScriptError::NameTaken => Self::new(
                StatusCode::CONFLICT,
                "SCRIPT_NAME_TAKEN",
                "a script with this name exists",
            ),
            ScriptError::Port(port) => port.into(),
        }
    }
}

impl From<ExecuteScriptError> for ApiError {
    fn from(error: ExecuteScriptError) -> Self {
        let detail = error.to_string();
        match error {
            ExecuteScriptError::Forbidden => Self::forbidden(detail),
            ExecuteScriptError::NotFound => Self::not_found(detail),
            ExecuteScriptError::NoSelection
            | ExecuteScriptError::UnknownAgents(_)
            | ExecuteScriptError::NoTargets => Self::invalid_field("agent_uuids", detail),
            ExecuteScriptError::Incompatible { .. } => Self::invalid_field("agents", detail),
            ExecuteScriptError::InvalidExpiry { .. } => Self::invalid_field("expires_in", detail),
            ExecuteScriptError::Port(port) => port.into(),
        }
    }
}

impl From<PolicyError> for ApiError {
    fn from(error: PolicyError) -> Self {
        match error {
            PolicyError::Forbidden(detail) => Self::forbidden(detail),
            PolicyError::NotFound => Self::not_found("policy not found"),
            PolicyError::Invalid(fields) => Self::invalid_fields(fields),
            PolicyError::NameTaken => Self::new(
                StatusCode::CONFLICT,
                "POLICY_NAME_TAKEN",
                "a policy with this name exists",
            ),
            PolicyError::Port(port) => port.into(),
        }
    }
}

impl From<RunPolicyError> for ApiError {
    fn from(error: RunPolicyError) -> Self {
        let detail = error.to_string();
        match error {
            RunPolicyError::Forbidden(detail) => Self::forbidden(detail),
            RunPolicyError::NotFound => Self::not_found(detail),
            RunPolicyError::NoTargets => Self::invalid_field("targets", detail),
            RunPolicyError::InvalidExpiry { .. } => Self::invalid_field("expires_in", detail),
            RunPolicyError::Port(port) => port.into(),
        }
    }
}

impl From<ScanPolicyError> for ApiError {
    fn from(error: ScanPolicyError) -> Self {
        match error {
            ScanPolicyError::Forbidden(detail) => Self::forbidden(detail),
            ScanPolicyError::NotFound => Self::not_found(error.to_string()),
            ScanPolicyError::Port(port) => port.into(),
        }
    }
}

impl From<ReadRunsError> for ApiError {
    fn from(error: ReadRunsError) -> Self {
        match error {
            ReadRunsError::Forbidden(detail) => Self::forbidden(detail),
            ReadRunsError::PolicyNotFound | ReadRunsError::RunNotFound => {
                Self::not_found(error.to_string())
            }
            ReadRunsError::Port(port) => port.into(),
        }
    }
}

impl From<IntegrationError> for ApiError {
    fn from(error: IntegrationError) -> Self {
        let detail = error.to_string();
        match error {
            IntegrationError::Forbidden => Self::forbidden(detail),
            IntegrationError::Invalid(fields) => Self::invalid_fields(fields),
            IntegrationError::NotConfigured(_) => {
                Self::new(StatusCode::CONFLICT, "NOT_CONFIGURED", detail)
            }
            IntegrationError::Port(port) => port.into(),
        }
    }
}
