//! How each domain error reaches the client: status, code, detail.

use actix_web::http::StatusCode;
use slimrmm_domain::PortError;
use slimrmm_domain::auth::{
    AuthenticateError, ForgotPasswordError, LoginError, LogoutError, RefreshError,
    ResetPasswordError,
};
use slimrmm_domain::user::{
    CreateUserError, DeleteUserError, GetUserError, ListUsersError, UpdateUserError,
};

use super::ApiError;

impl From<PortError> for ApiError {
    fn from(error: PortError) -> Self {
        match &error {
            PortError::Unavailable(_) => Self::unavailable(&error),
            PortError::Busy(_) => Self::busy(),
            PortError::Unexpected(_) => Self::internal(&error),
        }
    }
}

pub(super) fn conflict(code: &'static str, error: impl ToString) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, code, error.to_string())
}

impl From<AuthenticateError> for ApiError {
    fn from(error: AuthenticateError) -> Self {
        let detail = error.to_string();
        match error {
            AuthenticateError::InvalidToken => Self::unauthorized("INVALID_TOKEN", detail),
            AuthenticateError::TokenExpired => Self::unauthorized("TOKEN_EXPIRED", detail),
            AuthenticateError::TokenRevoked => Self::unauthorized("TOKEN_REVOKED", detail),
            AuthenticateError::AccountDisabled => Self::unauthorized("ACCOUNT_DISABLED", detail),
            AuthenticateError::Port(port) => port.into(),
        }
    }
}

impl From<LoginError> for ApiError {
    fn from(error: LoginError) -> Self {
        let detail = error.to_string();
        match error {
            LoginError::InvalidCredentials => Self::unauthorized("INVALID_CREDENTIALS", detail),
            LoginError::AccountDisabled => {
                Self::new(StatusCode::FORBIDDEN, "ACCOUNT_DISABLED", detail)
            }
            LoginError::Port(port) => port.into(),
        }
    }
}

impl From<RefreshError> for ApiError {
    fn from(error: RefreshError) -> Self {
        let detail = error.to_string();
        match error {
            RefreshError::InvalidToken => Self::unauthorized("INVALID_TOKEN", detail),
            RefreshError::TokenExpired => Self::unauthorized("TOKEN_EXPIRED", detail),
            RefreshError::TokenRevoked => Self::unauthorized("TOKEN_REVOKED", detail),
            RefreshError::TokenReused => Self::unauthorized("REFRESH_TOKEN_REUSED", detail),
            RefreshError::AccountDisabled => Self::unauthorized("ACCOUNT_DISABLED", detail),
            RefreshError::Port(port) => port.into(),
        }
    }
}

impl From<LogoutError> for ApiError {
    fn from(error: LogoutError) -> Self {
        let detail = error.to_string();
        match error {
            LogoutError::InvalidToken => Self::unauthorized("INVALID_TOKEN", detail),
            LogoutError::TokenExpired => Self::unauthorized("TOKEN_EXPIRED", detail),
            LogoutError::TokenRevoked => Self::unauthorized("TOKEN_REVOKED", detail),
            LogoutError::Port(port) => port.into(),
        }
    }
}

impl From<ForgotPasswordError> for ApiError {
    fn from(error: ForgotPasswordError) -> Self {
        match error {
            ForgotPasswordError::Port(port) => port.into(),
        }
    }
}

impl From<ResetPasswordError> for ApiError {
    fn from(error: ResetPasswordError) -> Self {
        let detail = error.to_string();
        match error {
            ResetPasswordError::InvalidToken => {
                Self::new(StatusCode::BAD_REQUEST, "INVALID_RESET_TOKEN", detail)
            }
            ResetPasswordError::Port(port) => port.into(),
        }
    }
}

impl From<CreateUserError> for ApiError {
    fn from(error: CreateUserError) -> Self {
        match error {
            CreateUserError::Forbidden => Self::forbidden(error.to_string()),
            CreateUserError::UsernameTaken => conflict("USERNAME_TAKEN", error),
            CreateUserError::EmailTaken => conflict("EMAIL_TAKEN", error),
            CreateUserError::UnknownClient => {
                Self::invalid_field("client_ids", "names a client that does not exist")
            }
            CreateUserError::Password(message) => Self::invalid_field("password", message),
            CreateUserError::Port(port) => port.into(),
        }
    }
}

impl From<GetUserError> for ApiError {
    fn from(error: GetUserError) -> Self {
        match error {
            GetUserError::Forbidden => Self::forbidden(error.to_string()),
            GetUserError::NotFound => Self::not_found(error.to_string()),
            GetUserError::Port(port) => port.into(),
        }
    }
}

impl From<ListUsersError> for ApiError {
    fn from(error: ListUsersError) -> Self {
        match error {
            ListUsersError::Forbidden => Self::forbidden(error.to_string()),
            ListUsersError::Port(port) => port.into(),
        }
    }
}

impl From<UpdateUserError> for ApiError {
    fn from(error: UpdateUserError) -> Self {
        match error {
            UpdateUserError::Forbidden(detail) => Self::forbidden(detail),
            UpdateUserError::NotFound => Self::not_found(error.to_string()),
            UpdateUserError::UsernameTaken => conflict("USERNAME_TAKEN", error),
            UpdateUserError::EmailTaken => conflict("EMAIL_TAKEN", error),
            UpdateUserError::LastActiveAdmin => conflict("LAST_ADMIN", error),
            UpdateUserError::UnknownClient => {
                Self::invalid_field("client_ids", "names a client that does not exist")
            }
            UpdateUserError::CurrentPasswordRequired => Self::invalid_field(
                "current_password",
                "is required to change your own password",
            ),
            UpdateUserError::CurrentPasswordIncorrect => {
                Self::invalid_field("current_password", "is incorrect")
            }
            UpdateUserError::Port(port) => port.into(),
        }
    }
}

impl From<DeleteUserError> for ApiError {
    fn from(error: DeleteUserError) -> Self {
        match error {
            DeleteUserError::Forbidden => Self::forbidden(error.to_string()),
            DeleteUserError::CannotDeleteSelf => conflict("CANNOT_DELETE_SELF", error),
            DeleteUserError::NotFound => Self::not_found(error.to_string()),
            DeleteUserError::LastActiveAdmin => conflict("LAST_ADMIN", error),
            DeleteUserError::Port(port) => port.into(),
        }
    }
}
