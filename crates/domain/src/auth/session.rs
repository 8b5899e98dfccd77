use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::PortError;
use crate::user::{User, UserId};

/// Identifies a sign-in session (one login, across all its refreshed tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(pub Uuid);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A sign-in session. Exactly one refresh token is current at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Its identifier, carried in every token of the session.
    pub id: SessionId,
    /// Whose session it is.
    pub user_id: UserId,
    /// The id of the only refresh token that may be used next.
    pub refresh_token_id: Uuid,
    /// When the user signed in.
    pub created_at: DateTime<Utc>,
    /// When the current refresh token expires.
    pub expires_at: DateTime<Utc>,
    /// When the session was ended, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A session with its user, as read when a token is presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionWithUser {
    /// The session.
    pub session: Session,
    /// Its user, as stored now.
    pub user: User,
    /// Whether the user's second factor is on.
    pub two_factor_active: bool,
    /// Whether the security policy requires a second factor of everyone (read in the same
    /// round trip: it is checked on every request).
    pub two_factor_required: bool,
}

/// Why a session was ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevocationReason {
    /// The user signed out.
    Logout,
    /// A refresh token was presented after it had been rotated: it was probably stolen.
    RefreshTokenReuse,
    /// The password changed (by the user, an admin or a reset).
    PasswordChanged,
    /// The account was deactivated.
    AccountDisabled,
}

impl RevocationReason {
    /// A stable name for storage and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::RefreshTokenReuse => "refresh_token_reuse",
            Self::PasswordChanged => "password_changed",
            Self::AccountDisabled => "account_disabled",
        }
    }
}

/// Where sessions are kept. Every server process shares it, so a revocation made by one is
/// seen by all from their next request on.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionRepository: Send + Sync {
    /// Stores a new session.
    async fn create(&self, session: &Session) -> Result<(), PortError>;

    /// The session and its user.
    async fn find(&self, id: SessionId) -> Result<Option<SessionWithUser>, PortError>;

    /// Makes `next` the current refresh token, if and only if `current` still is and the
    /// session is not revoked (compare-and-swap). False when another request got there first.
    async fn rotate(
        &self,
        id: SessionId,
        current: Uuid,
        next: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, PortError>;

    /// Ends the session.
    async fn revoke(
        &self,
        id: SessionId,
        reason: RevocationReason,
        at: DateTime<Utc>,
    ) -> Result<(), PortError>;

    /// Ends all of a user's live sessions, except `keep`. Returns how many were ended.
    async fn revoke_all_for_user(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: RevocationReason,
        at: DateTime<Utc>,
    ) -> Result<u64, PortError>;
}
