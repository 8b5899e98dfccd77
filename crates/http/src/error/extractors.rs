//! actix's own extractor failures, answered in the API's envelope.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::web;

use super::{ApiError, FieldError};

/// Turns a serde error at `path` into a field error. serde reports missing and unknown
/// fields at the enclosing object, so their field name is taken from the message.
pub(crate) fn serde_field_error(path: &str, message: &str) -> FieldError {
    for marker in ["missing field `", "unknown field `"] {
        if let Some(rest) = message.strip_prefix(marker)
            && let Some((name, _)) = rest.split_once('`')
        {
            // serde_path_to_error already ends the path with an unknown field's name.
            let field = match path {
                "." | "" => name.to_owned(),
                path if path == name || path.ends_with(&format!(".{name}")) => path.to_owned(),
                parent => format!("{parent}.{name}"),
            };
            let what = if marker.starts_with("missing") {
                "is required".to_owned()
            } else {
                match rest[name.len() + 1..].strip_prefix(", expected ") {
                    Some(expected) => format!("is not a known field; expected {expected}"),
                    None => "is not a known field".to_owned(),
                }
            };
            return FieldError::new(field, what);
        }
    }
    let field = match path {
        "." | "" => "body".to_owned(),
        path => path.to_owned(),
    };
    FieldError::new(field, message.split(" at line ").next().unwrap_or(message))
}

/// A JSON body that could not be read.
pub(crate) fn json_error(error: &serde_json::Error, path: &str) -> ApiError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            format!("the request body is not valid JSON ({error})"),
        ),
        Category::Data => ApiError::validation(vec![serde_field_error(path, &error.to_string())]),
    }
}

fn from_json_payload(error: JsonPayloadError) -> ApiError {
    match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE)
        }
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "the request body must be JSON (Content-Type: application/json)",
        ),
        JsonPayloadError::Deserialize(error) => json_error(&error, "."),
        other => ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", other.to_string()),
    }
}

/// `web::Json` failures in the envelope (our own extractors do not use it, but any handler
/// that does stays consistent).
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|error, _| from_json_payload(error).into())
}

/// `web::Query` failures in the envelope.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _| {
        let QueryPayloadError::Deserialize(error) = error else {
            return ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", error.to_string()).into();
        };
        ApiError::validation(vec![serde_field_error("query", &error.to_string())]).into()
    })
}

/// `web::Path` failures (an id that is not a uuid or a number) in the envelope: 404, since no
/// resource has such an id.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|error, req| {
        if let Some(refusal) = crate::middleware::literal_route_refusal(req) {
            return actix_web::error::InternalError::from_response("method not allowed", refusal)
                .into();
        }
        let PathError::Deserialize(error) = error else {
            return ApiError::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", error.to_string()).into();
        };
        ApiError::not_found(format!(
            "no such resource: the id in the path is not valid ({error})"
        ))
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_unknown_fields_are_named() {
        assert_eq!(
            serde_field_error(".", "missing field `username`").field,
            "username"
        );
        let unknown = serde_field_error(
            ".",
            "unknown field `usernmae`, expected `username` or `password`",
        );
        assert_eq!(unknown.field, "usernmae");
        assert_eq!(
            unknown.message,
            "is not a known field; expected `username` or `password`"
        );
        let nested = serde_field_error("reboot", "missing field `condition`");
        assert_eq!(nested.field, "reboot.condition");
        let typed = serde_field_error(
            "role",
            "unknown variant `boss`, expected `admin` at line 1 column 9",
        );
        assert_eq!(
            (typed.field.as_str(), typed.message.as_str()),
            ("role", "unknown variant `boss`, expected `admin`")
        );
    }
}
