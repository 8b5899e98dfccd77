//! The error boundary: every failure leaves the API as the same JSON envelope.

mod agents;
#[cfg(test)]
mod declared;
mod domain;
mod extractors;
mod gateway;
mod library;
mod tenancy;
mod two_factor;

use std::borrow::Cow;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use extractors::{json_config, path_config, query_config};
pub(crate) use extractors::{json_error, serde_field_error};

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    #[schema(example = "username is taken")]
    pub detail: String,
    /// Always `error`.
    #[schema(example = "error")]
    pub status: &'static str,
    /// What went wrong, for programs (`UPPER_SNAKE_CASE`).
    #[schema(example = "USERNAME_TAKEN")]
    pub code: &'static str,
    /// For validation errors (422): each offending field and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as named in the request (`password`, `tags[2]`, `page`).
    #[schema(example = "password")]
    pub field: String,
    /// Why it was refused.
    #[schema(example = "must be at least 12 characters")]
    pub message: String,
}

impl FieldError {
    /// `field` was refused because of `message`.
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self {
            field: field.into(),
            message: message.to_string(),
        }
    }
}

/// An error on its way to the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    detail: Cow<'static, str>,
    errors: Vec<FieldError>,
    /// Seconds after which a retry may succeed (`Retry-After`).
    retry_after: Option<u32>,
}

impl ApiError {
    /// An error with this status, code and detail.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// The same error, telling the client when to retry (`Retry-After`).
    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// 422 listing the invalid fields.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [only] => format!("{}: {}", only.field, only.message),
            _ => format!("{} fields are invalid", errors.len()),
        };
        Self {
            errors,
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_ERROR", detail)
        }
    }

    /// 422 for one invalid field.
    pub fn invalid_field(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    /// 401: no credentials, or credentials that prove nothing.
    pub fn unauthorized(code: &'static str, detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, detail)
    }

    /// 403: the caller is known but may not do this.
    pub fn forbidden(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", detail)
    }

    /// 404 for a resource.
    pub fn not_found(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", detail)
    }

    /// 500 with a generic body; the cause is logged here, once, and never sent.
    pub fn internal(cause: &(dyn fmt::Debug + Send + Sync)) -> Self {
        tracing::error!(error = ?cause, "request failed with an internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "internal server error",
        )
    }

    /// 503: a backing service is down; the cause is logged here, once.
    pub fn unavailable(cause: &(dyn fmt::Debug + Send + Sync)) -> Self {
        tracing::error!(error = ?cause, "request failed: a backing service is unavailable");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "the service is temporarily unavailable; try again shortly",
        )
        .retry_after(5)
    }

    /// 503: the server refused the work at once because it is saturated.
    pub fn busy() -> Self {
        tracing::warn!("request refused: the server is busy");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_BUSY",
            "the server is busy; try again in a second",
        )
        .retry_after(1)
    }

    /// The generic error for a status produced outside our handlers (unknown route, ...).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, detail) = match status {
            StatusCode::NOT_FOUND => ("NOT_FOUND", "no such endpoint"),
            StatusCode::METHOD_NOT_ALLOWED => {
                ("METHOD_NOT_ALLOWED", "method not allowed on this endpoint")
            }
            StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", "request body too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("UNSUPPORTED_MEDIA_TYPE", "unsupported content type")
            }
            StatusCode::UNAUTHORIZED => ("UNAUTHORIZED", "authentication required"),
            StatusCode::FORBIDDEN => ("FORBIDDEN", "forbidden"),
            StatusCode::REQUEST_TIMEOUT => {
                ("REQUEST_TIMEOUT", "the request was not received in time")
            }
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => (
                "REQUEST_HEADER_FIELDS_TOO_LARGE",
                "the request's headers are too large",
            ),
            status if status.is_server_error() => ("INTERNAL_ERROR", "internal server error"),
            _ => ("BAD_REQUEST", "bad request"),
        };
        Self::new(status, code, detail)
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The body this error is sent as.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            detail: self.detail.to_string(),
            status: "error",
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(self.body())
    }
}

#[cfg(test)]
mod tests {
    use slimrmm_domain::PortError;

    use super::*;

    #[test]
    fn internal_errors_never_leak_their_cause() {
        let error = ApiError::from(PortError::Unexpected(anyhow::anyhow!(
            "password=hunter2 at db.internal:5432"
        )));
        let body = serde_json::to_string(&error.body()).unwrap();
        assert_eq!(error.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            body,
            r#"{"detail":"internal server error","status":"error","code":"INTERNAL_ERROR"}"#
        );
        let unavailable = ApiError::from(PortError::Unavailable(anyhow::anyhow!(
            "connection refused to db.internal"
        )));
        assert_eq!(unavailable.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(
            !serde_json::to_string(&unavailable.body())
                .unwrap()
                .contains("db.internal")
        );
    }

    #[test]
    fn unauthorized_answers_carry_the_bearer_challenge() {
        let response = ApiError::unauthorized("UNAUTHORIZED", "no token").error_response();
        assert_eq!(
            response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
            "Bearer"
        );
    }
}
