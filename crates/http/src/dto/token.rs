use serde::Serialize;
use slimrmm_domain::auth::TokenPair;
use utoipa::ToSchema;

/// A token pair. Sent bare (not in the envelope), as OAuth2 clients and the reference's own
/// client snippets expect.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Exchange at `POST /api/v1/auth/refresh` for a new pair; usable once.
    pub refresh_token: String,
    /// Always `bearer`.
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

/// 200 with the bare pair, never cached: the answer of every step that signs someone in.
pub fn token_answer(pair: TokenPair) -> actix_web::HttpResponse {
    super::no_store(actix_web::HttpResponse::Ok().json(TokenResponse::from(pair)))
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: "bearer",
            expires_in: pair.access_expires_in.num_seconds(),
        }
    }
}

/// The password step's answer when the account has a second factor: no tokens yet.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeResponse {
    /// Always `true`.
    pub two_factor_required: bool,
    /// Send it with a code to `POST /api/v1/auth/login/second-factor`; single use.
    pub challenge: String,
    /// Seconds it stays good.
    #[schema(example = 300)]
    pub expires_in: i64,
}

/// What `POST /api/v1/auth/login` answers: the tokens, or (with `two_factor_required`) the
/// challenge for the code step.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    /// Signed in.
    Tokens(TokenResponse),
    /// A second factor is on.
    SecondFactor(ChallengeResponse),
}
