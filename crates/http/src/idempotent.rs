//! `Idempotency-Key` on the endpoints that send commands: a client that retries after losing
//! the answer gets the first answer again (with `Idempotent-Replayed: true`), never a second
//! command. The domain's [`IdempotencyService`] decides; this module reads the header, makes the
//! request's fingerprint and keeps the answer's bytes.

use std::future::Future;

use actix_web::body::to_bytes;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use futures_util::future::{Ready, ready};
use serde::Serialize;
use sha2::{Digest, Sha256};
use slimrmm_domain::auth::Actor;
use slimrmm_domain::idempotency::{
    Fingerprint, IdempotencyKey, IdempotencyService, Start, StoredAnswer,
};

use crate::error::ApiError;

/// The header's name.
pub const HEADER: &str = "Idempotency-Key";

/// The `Idempotency-Key` header, for the OpenAPI document.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKeyDoc {
    /// Any string of 1 to 255 visible ASCII characters that you choose per logical request
    /// (a UUID, say). Retrying with the same key and the same request within 24 hours
    /// returns the first answer again (`Idempotent-Replayed: true`) instead of sending a
    /// second command; the same key with a different request is 422.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 255)]
    pub idempotency_key: Option<String>,
}

/// The request's `Idempotency-Key`, if it sent one (1 to 255 visible ASCII characters, else 422
/// naming the header).
#[derive(Debug)]
pub struct IdempotencyHeader(pub Option<IdempotencyKey>);

impl FromRequest for IdempotencyHeader {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(HEADER) else {
            return ready(Ok(Self(None)));
        };
        let key = value
            .to_str()
            .ok()
            .and_then(|text| IdempotencyKey::parse(text).ok())
            .ok_or_else(|| {
                ApiError::invalid_field(HEADER, "must be 1 to 255 visible ASCII characters")
            });
        ready(key.map(|key| Self(Some(key))))
    }
}

/// What makes a request this request: its method, path and (re-serialized) body.
pub fn fingerprint(req: &HttpRequest, body: &impl Serialize) -> Fingerprint {
    let mut digest = Sha256::new();
    digest.update(req.method().as_str());
    digest.update(b" ");
    digest.update(req.path().trim_end_matches('/'));
    digest.update(b"\n");
    digest.update(serde_json::to_vec(body).unwrap_or_default());
    Fingerprint(digest.finalize().into())
}

fn replayed(answer: StoredAnswer) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK))
        .content_type("application/json")
        .insert_header(("Idempotent-Replayed", "true"))
        .body(answer.body)
}

/// Runs `work` once per caller and key: without a key it just runs; with one, a repeat of the
/// same request gets the first answer, a concurrent repeat 409 `IDEMPOTENCY_KEY_IN_USE`, and the
/// key reused for another request 422 naming the header. With a key the work runs in a task of
/// its own, so a client that hangs up mid-request still gets its answer stored for the retry.
pub async fn once<F: Future<Output = Result<HttpResponse, ApiError>> + 'static>(
    idempotency: &IdempotencyService,
    caller: &Actor,
    key: IdempotencyHeader,
    fingerprint: Fingerprint,
    work: F,
) -> Result<HttpResponse, ApiError> {
    let Some(key) = key.0 else {
        return work.await;
    };
    let user = caller.user.id;
    match idempotency.start(user, &key, fingerprint).await? {
        Start::Run => {}
        Start::Replay(answer) => return Ok(replayed(answer)),
        Start::Running => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "IDEMPOTENCY_KEY_IN_USE",
                "a request with this Idempotency-Key is still running; retry shortly",
            )
            .retry_after(1));
        }
        Start::Unknown => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "IDEMPOTENCY_KEY_IN_USE",
                "a request with this Idempotency-Key started minutes ago and never finished (its \
                 server process stopped); its outcome is unknown: look for it before retrying \
                 with a new key",
            ));
        }
        Start::Reused => {
            return Err(ApiError::invalid_field(
                HEADER,
                "was already used for a different request",
            ));
        }
    }
    let idempotency = idempotency.clone();
    let task =
        actix_web::rt::spawn(async move { answer_once(&idempotency, user, &key, work).await });
    task.await
        .map_err(|_| ApiError::internal(&"an idempotent request's task was lost"))?
}

/// Runs the work, keeps its answer for the key, and gives the answer back.
async fn answer_once<F: Future<Output = Result<HttpResponse, ApiError>>>(
    idempotency: &IdempotencyService,
    user: slimrmm_domain::user::UserId,
    key: &IdempotencyKey,
    work: F,
) -> Result<HttpResponse, ApiError> {
    let response = match work.await {
        Ok(response) => response,
        Err(error) => error.error_response(),
    };
    let (head, body) = response.into_parts();
    let status = head.status();
    let headers = head.headers().clone();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| ApiError::internal(&"reading an answer's body"))?;
    let answer = StoredAnswer {
        status: status.as_u16(),
        body: bytes.to_vec(),
    };
    if let Err(error) = idempotency.finish(user, key, &answer).await {
        // The work is done and answered; a retry will find the key in progress and be told
        // its outcome is unknown rather than run twice.
        tracing::error!(error = ?error, "the answer of an idempotent request could not be kept");
    }
    let mut rebuilt = HttpResponse::build(status);
    for (name, value) in &headers {
        if name != header::CONTENT_LENGTH {
            rebuilt.insert_header((name.clone(), value.clone()));
        }
    }
    Ok(rebuilt.body(bytes))
}
