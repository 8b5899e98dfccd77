use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::TokenDigest;
use crate::PortError;
use crate::notification::Notification;
use crate::user::{PasswordHash, UserId};

/// A password-reset token about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPasswordReset {
    /// Whose password it resets.
    pub user_id: UserId,
    /// The digest of the token mailed to them.
    pub digest: TokenDigest,
    /// When it was asked for.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Where password-reset tokens are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordResetRepository: Send + Sync {
    /// In one transaction: stores a reset token, discarding the user's earlier unused ones, and
    /// writes `notification` (the mail with the token, sealed) to the outbox.
    async fn create(
        &self,
        reset: &NewPasswordReset,
        notification: &Notification,
    ) -> Result<(), PortError>;

    /// The user a token resets, if the token is unused, unexpired at `now`, and its user is
    /// active.
    async fn find_valid(
        &self,
        digest: &TokenDigest,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, PortError>;

    /// In one transaction: consumes the token (if still valid as for
    /// [`find_valid`](Self::find_valid)), sets the user's password to `password_hash` and ends
    /// all their sessions. Returns the user, or `None` if the token was not valid.
    async fn complete(
        &self,
        digest: &TokenDigest,
        password_hash: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, PortError>;
}
