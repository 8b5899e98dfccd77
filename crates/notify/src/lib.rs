//! Delivery adapters for SlimRMM's [`Transport`] port: mail through SMTP (lettre, async, rustls)
//! and push messages through Pushover's HTTPS API (reqwest).

mod pushover;
mod smtp;

use std::time::Duration;

use async_trait::async_trait;
use slimrmm_domain::notification::{ChannelConfig, DeliveryError, Message, Transport};
use slimrmm_domain::user::Email;

pub use pushover::PUSHOVER_API_URL;

/// Sends through whichever channel a configuration names.
#[derive(Clone)]
pub struct ChannelTransport {
    pushover: pushover::Pushover,
    timeout: Duration,
}

impl ChannelTransport {
    /// Pushover at `pushover_api_url` (its public API unless a test points elsewhere); every
    /// connection and request gives up after `timeout`.
    pub fn new(pushover_api_url: &str, timeout: Duration) -> anyhow::Result<Self> {
        Ok(Self {
            pushover: pushover::Pushover::new(pushover_api_url, timeout)?,
            timeout,
        })
    }
}

#[async_trait]
impl Transport for ChannelTransport {
    async fn send(
        &self,
        config: &ChannelConfig,
        to: &[Email],
        message: &Message,
    ) -> Result<(), DeliveryError> {
        match config {
            ChannelConfig::Smtp(smtp) => smtp::send(smtp, to, message, self.timeout).await,
            ChannelConfig::Pushover(pushover) => self.pushover.send(pushover, message).await,
        }
    }
}
