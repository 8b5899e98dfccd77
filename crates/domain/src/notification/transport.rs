//! The port that talks to mail servers and push services.

use async_trait::async_trait;

use super::{ChannelConfig, Message};
use crate::user::Email;

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// It will not work on retry (bad credentials, refused recipient, 4xx from Pushover).
    #[error("{0}")]
    Permanent(String),
    /// It may work later (timeouts, connection failures, 5xx).
    #[error("{0}")]
    Transient(String),
}

/// Sends messages through a configured channel.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends `message`; `to` are the mail recipients (ignored by push channels).
    async fn send(
        &self,
        config: &ChannelConfig,
        to: &[Email],
        message: &Message,
    ) -> Result<(), DeliveryError>;
}
