use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, HttpResponse, post, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use slimrmm_domain::auth::{AuthService, CHALLENGE_TTL, LoginOutcome};
use utoipa::ToSchema;

use crate::dto::{ChallengeResponse, LoginAnswer, TokenResponse};
use crate::error::{ApiError, ErrorBody, serde_field_error};
use crate::extract::{ClientIp, is_json, parse_json};

/// Credentials, as JSON or as an OAuth2 password-grant form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// The username (case-insensitive).
    #[schema(example = "admin")]
    pub username: String,
    /// The password.
    #[schema(example = "correct horse battery staple")]
    pub password: String,
    /// OAuth2 forms only: `password` when present.
    #[serde(default)]
    pub grant_type: Option<String>,
}

/// The login body, read from JSON or from `application/x-www-form-urlencoded` (so the
/// interactive docs' OAuth2 "Authorize" works).
pub struct LoginBody(LoginRequest);

fn parse_form(bytes: &[u8]) -> Result<LoginRequest, ApiError> {
    let pairs = form_urlencoded::parse(bytes);
    let request: LoginRequest = serde_path_to_error::deserialize(
        serde_urlencoded::Deserializer::new(pairs),
    )
    .map_err(|error| {
        ApiError::validation(vec![serde_field_error(
            &error.path().to_string(),
            &error.inner().to_string(),
        )])
    })?;
    match request.grant_type.as_deref() {
        None | Some("password") => Ok(request),
        Some(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "UNSUPPORTED_GRANT_TYPE",
            "only the password grant is supported",
        )),
    }
}

fn is_form(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        })
}

impl FromRequest for LoginBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (json, form) = (is_json(req), is_form(req));
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = body.await.map_err(crate::extract::payload_error)?;
            let request = match (json, form) {
                (true, _) => parse_json(&bytes)?,
                (_, true) => parse_form(&bytes)?,
                _ => {
                    return Err(ApiError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "UNSUPPORTED_MEDIA_TYPE",
                        "send JSON or an application/x-www-form-urlencoded form",
                    ));
                }
            };
            Ok(Self(request))
        })
    }
}

/// Sign in with username and password. Answers with a bare token object (not the envelope),
/// or, when the account has a second factor, with a challenge for the code step.
/// A wrong username and a wrong password are the same 401 and take the same time.
#[utoipa::path(
    tag = "auth",
    request_body(content(
        (LoginRequest = "application/json"),
        (LoginRequest = "application/x-www-form-urlencoded"),
    )),
    responses(
        (status = 200, description = "Signed in, or, when the account has a second factor, the challenge for `POST /api/v1/auth/login/second-factor` (`two_factor_required: true`)", body = LoginAnswer),
        (status = 401, description = "Wrong username or password (`INVALID_CREDENTIALS`)", body = ErrorBody),
        (status = 403, description = "Correct password, but the account is disabled (`ACCOUNT_DISABLED`)", body = ErrorBody),
        (status = 422, description = "A field is missing or mistyped", body = ErrorBody),
    )
)]
#[post("/login")]
pub async fn login(
    auth: web::Data<AuthService>,
    body: LoginBody,
    ip: ClientIp,
) -> Result<HttpResponse, ApiError> {
    let LoginBody(request) = body;
    let outcome = auth
        .login(&request.username, &request.password, ip.0)
        .await?;
    let answer = match outcome {
        LoginOutcome::Tokens(pair) => LoginAnswer::Tokens(TokenResponse::from(pair)),
        LoginOutcome::SecondFactor { challenge, .. } => {
            LoginAnswer::SecondFactor(ChallengeResponse {
                two_factor_required: true,
                challenge: challenge.expose().to_owned(),
                expires_in: CHALLENGE_TTL.num_seconds(),
            })
        }
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(answer))
}
