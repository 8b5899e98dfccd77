use std::borrow::Cow;

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

/// The envelope of every successful response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiResponse<T> {
    /// The payload.
    pub data: T,
    /// A human-readable summary (`Success` unless the endpoint says more).
    #[schema(example = "Success")]
    pub message: Cow<'static, str>,
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// No payload; serialized as `null`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Null;

impl<T> ApiResponse<T> {
    fn new(data: T, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            data,
            message: message.into(),
            status: "ok",
        }
    }
}

/// 200 with `data`.
pub fn ok<T: Serialize>(data: T) -> HttpResponse {
    HttpResponse::Ok().json(ApiResponse::new(data, "Success"))
}

/// 200 with `data` and a message of the endpoint's own.
pub fn ok_with_message<T: Serialize>(data: T, message: &'static str) -> HttpResponse {
    HttpResponse::Ok().json(ApiResponse::new(data, message))
}

/// 201 with `data`.
pub fn created<T: Serialize>(data: T) -> HttpResponse {
    HttpResponse::Created().json(ApiResponse::new(data, "Success"))
}

/// 202 with `data` and a message: the work was queued.
pub fn accepted<T: Serialize>(data: T, message: impl Into<Cow<'static, str>>) -> HttpResponse {
    HttpResponse::Accepted().json(ApiResponse::new(data, message))
}

/// Marks a response that carries a secret as not to be cached anywhere.
pub fn no_store(mut response: HttpResponse) -> HttpResponse {
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}
