//! Notification adapters for SlimRMM's [`Notifier`] port.
//!
//! Today this crate holds [`UndeliverableNotifier`], used while no delivery channel exists: it
//! records that a notification could not be delivered, without its secrets. The SMTP (lettre)
//! and Pushover adapters, configured through the integrations API, come with the integrations
//! work and replace it in the server's wiring.

use async_trait::async_trait;
use slimrmm_domain::PortError;
use slimrmm_domain::notification::{Notification, Notifier};

/// A notifier with no delivery channel: every notification is reported as undeliverable and
/// logged (user id and kind only; never the address or a token).
#[derive(Debug, Clone, Copy, Default)]
pub struct UndeliverableNotifier;

#[async_trait]
impl Notifier for UndeliverableNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), PortError> {
        tracing::warn!(
            kind = notification.kind(),
            "no notification channel is configured, so the notification could not be sent"
        );
        Err(PortError::Unavailable(anyhow::anyhow!(
            "no notification channel is configured"
        )))
    }
}

#[cfg(test)]
mod tests {
    use slimrmm_domain::auth::OpaqueToken;
    use slimrmm_domain::user::{Email, UserId, Username};

    use super::*;

    #[tokio::test]
    async fn reports_every_notification_as_undelivered() {
        let notification = Notification::PasswordReset {
            user_id: UserId(1),
            username: Username::parse("jane").unwrap(),
            email: Email::parse("jane@example.com").unwrap(),
            token: OpaqueToken::from_generated("abcdefghijklmnopqrstuvwxyz".into()),
            expires_at: chrono::Utc::now(),
        };
        let result = UndeliverableNotifier.notify(&notification).await;
        assert!(matches!(result, Err(PortError::Unavailable(_))));
    }
}
