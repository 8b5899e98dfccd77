//! How second-factor errors reach the client.

use actix_web::http::StatusCode;
use slimrmm_domain::auth::{SecondFactorError, SecurityPolicyError, TwoFactorError};

use super::ApiError;

impl From<SecondFactorError> for ApiError {
    fn from(error: SecondFactorError) -> Self {
        let detail = error.to_string();
        match error {
            SecondFactorError::InvalidChallenge => Self::unauthorized("INVALID_CHALLENGE", detail),
            SecondFactorError::InvalidCode => Self::unauthorized("INVALID_CODE", detail),
            SecondFactorError::CodeReused => Self::unauthorized("CODE_ALREADY_USED", detail),
            SecondFactorError::AccountDisabled => {
                Self::new(StatusCode::FORBIDDEN, "ACCOUNT_DISABLED", detail)
            }
            SecondFactorError::Port(port) => port.into(),
        }
    }
}

impl From<TwoFactorError> for ApiError {
    fn from(error: TwoFactorError) -> Self {
        let detail = error.to_string();
        match error {
            TwoFactorError::Forbidden => Self::forbidden(detail),
            TwoFactorError::UserNotFound => Self::not_found(detail),
            TwoFactorError::AlreadyActive => {
                Self::new(StatusCode::CONFLICT, "TWO_FACTOR_ACTIVE", detail)
            }
            TwoFactorError::NotEnrolled => {
                Self::new(StatusCode::CONFLICT, "TWO_FACTOR_NOT_ENROLLED", detail)
            }
            TwoFactorError::InvalidCode => Self::invalid_field("code", detail),
            TwoFactorError::Port(port) => port.into(),
        }
    }
}

impl From<SecurityPolicyError> for ApiError {
    fn from(error: SecurityPolicyError) -> Self {
        match error {
            SecurityPolicyError::Forbidden => Self::forbidden(error.to_string()),
            SecurityPolicyError::Port(port) => port.into(),
        }
    }
}
