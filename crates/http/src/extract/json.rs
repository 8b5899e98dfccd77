use actix_web::dev::Payload;
use actix_web::error::PayloadError;
use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::Validate;

use super::validation_errors;
use crate::error::{ApiError, json_error};

/// A JSON request body, deserialized and validated. Wrong content type is 415, an oversized
/// body 413, malformed JSON 400, and a well-formed body with wrong or invalid fields 422 naming
/// each field.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

/// True when the request says its body is JSON (`application/json` or `application/*+json`).
pub(crate) fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Deserializes a JSON object from `bytes`, naming the offending field on failure. (serde
/// would otherwise accept an array for a struct, field by field.)
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|byte| !byte.is_ascii_whitespace());
    if first.is_some_and(|byte| *byte != b'{') {
        return match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => Err(ApiError::invalid_field("body", "must be a JSON object")),
            Err(error) => Err(json_error(&error, ".")),
        };
    }
    if let Some(field) = nul_field(bytes) {
        return Err(ApiError::invalid_field(
            field,
            "must not contain NUL (U+0000) characters",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = serde_path_to_error::deserialize(&mut deserializer);
    match parsed {
        Ok(value) => {
            deserializer
                .end()
                .map_err(|error| json_error(&error, "."))?;
            Ok(value)
        }
        // JSON has one number type: `60.0` is the whole number 60, as JSON Schema says. Only
        // a body an integer field refused for that is read again with such numbers made whole.
        Err(error)
            if error
                .inner()
                .to_string()
                .contains("invalid type: floating point") =>
        {
            let mut document: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|error| json_error(&error, "."))?;
            whole_numbers(&mut document);
            serde_path_to_error::deserialize(document)
                .map_err(|error| json_error(error.inner(), &error.path().to_string()))
        }
        Err(error) => Err(json_error(error.inner(), &error.path().to_string())),
    }
}

/// Turns every number with no fractional part (`60.0`, `1e3`) into the integer it is, so
/// integer fields take it; other numbers stay as they are.
fn whole_numbers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                *value = serde_json::Value::from(float as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers),
        serde_json::Value::Object(object) => object.values_mut().for_each(whole_numbers),
        _ => {}
    }
}

/// The first field of a JSON body whose text holds a U+0000 (which JSON can only spell
/// `\u0000`), named as other validation errors name fields (`params.command`, `tags[2]`).
fn nul_field(bytes: &[u8]) -> Option<String> {
    const ESCAPE: &[u8] = b"\\u0000";
    if !bytes.windows(ESCAPE.len()).any(|window| window == ESCAPE) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    find_nul(&value, String::new())
}

fn find_nul(value: &serde_json::Value, path: String) -> Option<String> {
    let named = |path: String| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path
        }
    };
    match value {
        serde_json::Value::String(text) => text.contains('\0').then(|| named(path)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| find_nul(item, format!("{path}[{index}]"))),
        serde_json::Value::Object(object) => object.iter().find_map(|(key, item)| {
            let field = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('\0') {
                return Some(named(path.clone()));
            }
            find_nul(item, field)
        }),
        _ => None,
    }
}

pub(crate) fn payload_error(error: actix_web::Error) -> ApiError {
    match error.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE),
        Some(PayloadError::Io(io)) if io.kind() == std::io::ErrorKind::TimedOut => {
            ApiError::for_status(StatusCode::REQUEST_TIMEOUT)
        }
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "the request body could not be read",
        ),
    }
}

/// Reads and checks a JSON body of type `T`. Text with a U+0000 is refused (422 naming the
/// field) before anything else looks at it: PostgreSQL could not store it.
fn decode<T: DeserializeOwned + Validate>(json: bool, bytes: &[u8]) -> Result<T, ApiError> {
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "the request body must be JSON (Content-Type: application/json)",
        ));
    }
    let value: T = parse_json(bytes)?;
    value
        .validate()
        .map_err(|errors| ApiError::validation(validation_errors(&errors)))?;
    Ok(value)
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !json {
                return decode(json, &[]).map(Self);
            }
            let bytes = body.await.map_err(payload_error)?;
            decode(json, &bytes).map(Self)
        })
    }
}

/// A JSON body that may be left out entirely or be `null` (then `T::default()`); otherwise it
/// is read like [`ValidJson`].
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Validate + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(payload_error)?;
            let text = bytes.trim_ascii();
            if text.is_empty() || text == b"null" {
                return Ok(Self(T::default()));
            }
            decode(json, &bytes).map(Self)
        })
    }
}
