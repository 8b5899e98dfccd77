use chrono::{DateTime, TimeDelta, Utc};
use uuid::Uuid;

use super::SessionId;
use crate::PortError;
use crate::user::{User, UserId};

/// Access tokens authorize requests; refresh tokens only buy new token pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Short-lived, sent with every request.
    Access,
    /// Long-lived, single use, rotated on every refresh.
    Refresh,
}

/// What a signed token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenClaims {
    /// Unique per token; for refresh tokens, the id the session expects next.
    pub token_id: Uuid,
    /// The session the token belongs to.
    pub session_id: SessionId,
    /// The user it was issued to.
    pub user_id: UserId,
    /// Access or refresh.
    pub kind: TokenKind,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// Why a presented token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    /// Well-formed and genuine, but past its expiry.
    #[error("token expired")]
    Expired,
    /// Malformed, forged, or signed with another key.
    #[error("token invalid")]
    Invalid,
}

/// Signs and verifies tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// Signs `claims` into a token string.
    fn issue(&self, claims: &TokenClaims) -> Result<String, PortError>;

    /// Checks the signature and expiry of `token` and returns what it says.
    fn verify(&self, token: &str) -> Result<TokenClaims, TokenRejection>;
}

/// A fresh access token and refresh token, as handed to a client.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// Sent as `Authorization: Bearer` with every request.
    pub access_token: String,
    /// Exchanged for a new pair when the access token expires.
    pub refresh_token: String,
    /// How long the access token lives.
    pub access_expires_in: TimeDelta,
    /// The signed-in user.
    pub user: User,
}
