//! The notification port: messages the domain wants delivered to people.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::PortError;
use crate::auth::OpaqueToken;
use crate::user::{Email, UserId, Username};

/// Something worth telling a person about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A user asked to reset their password; the mail carries the single-use token.
    PasswordReset {
        /// The account the token belongs to.
        user_id: UserId,
        /// Its username, for the greeting.
        username: Username,
        /// Where the mail goes (only ever this user's own address).
        email: Email,
        /// The secret token; only the adapter that delivers the mail may read it.
        token: OpaqueToken,
        /// When the token stops working.
        expires_at: DateTime<Utc>,
    },
}

/// Delivers notifications (mail, push, ...).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Hands `notification` over for delivery.
    async fn notify(&self, notification: &Notification) -> Result<(), PortError>;
}
