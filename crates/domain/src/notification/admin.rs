//! What admins do with integrations: configure SMTP (`smtp`) and Pushover (`pushover`), by
//! the rules in `fields`; test them, read the outbox.

mod fields;
mod pushover;
mod smtp;

pub use pushover::PushoverInput;
pub use smtp::SmtpInput;

use std::sync::Arc;

use serde_json::json;

use super::{
    Channel, ChannelConfig, DeliveryResult, Integration, IntegrationRepository, OutboxEntry,
    OutboxListQuery, OutboxRepository, Transport, test_message,
};
use crate::audit::{AuditRecord, AuditService};
use crate::auth::{Actor, Capability};
use crate::clock::Clock;
use crate::list::Page;
use crate::{InvalidField, PortError};

/// Why an integration operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    /// Only admins manage integrations.
    #[error("only admins manage integrations and read the outbox")]
    Forbidden,
    /// Fields break the rules (each named).
    #[error("invalid settings")]
    Invalid(Vec<InvalidField>),
    /// The channel has no settings yet.
    #[error("{0} is not configured")]
    NotConfigured(Channel),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// How a test message went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// Delivered.
    pub delivered: bool,
    /// The server's error text.
    pub error: Option<String>,
}

/// The integrations API.
#[derive(Clone)]
pub struct IntegrationService {
    integrations: Arc<dyn IntegrationRepository>,
    outbox: Arc<dyn OutboxRepository>,
    transport: Arc<dyn Transport>,
    audit: AuditService,
    clock: Arc<dyn Clock>,
}

impl IntegrationService {
    /// Builds the service.
    pub fn new(
        integrations: Arc<dyn IntegrationRepository>,
        outbox: Arc<dyn OutboxRepository>,
        transport: Arc<dyn Transport>,
        audit: AuditService,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            integrations,
            outbox,
            transport,
            audit,
            clock,
        }
    }

    fn require(actor: &Actor) -> Result<(), IntegrationError> {
        if actor.can_globally(Capability::Administer) {
            Ok(())
        } else {
            Err(IntegrationError::Forbidden)
        }
    }

    async fn current(&self, channel: Channel) -> Result<Option<Integration>, PortError> {
        Ok(self
            .integrations
            .all()
            .await?
            .into_iter()
            .find(|integration| integration.channel() == channel))
    }

    /// Both channels, configured or not.
    pub async fn list(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(Channel, Option<Integration>)>, IntegrationError> {
        Self::require(actor)?;
        let stored = self.integrations.all().await?;
        Ok(Channel::ALL
            .into_iter()
            .map(|channel| {
                let found = stored
                    .iter()
                    .find(|integration| integration.channel() == channel)
                    .cloned();
                (channel, found)
            })
            .collect())
    }

    async fn record_change(&self, actor: &Actor, integration: &Integration) {
        let record = AuditRecord::by(actor, "integration.update")
            .target("integration", integration.channel().as_str())
            .details(json!({"enabled": integration.enabled}));
        self.audit.record(record).await;
    }

    /// Sends a test message through a configured channel now (enabled or not) and records
    /// the result.
    pub async fn test(
        &self,
        actor: &Actor,
        channel: Channel,
    ) -> Result<TestOutcome, IntegrationError> {
        Self::require(actor)?;
        let integration = self
            .current(channel)
            .await?
            .ok_or(IntegrationError::NotConfigured(channel))?;
        let to = match &integration.config {
            ChannelConfig::Smtp(smtp) if smtp.recipients.is_empty() => {
                return Err(IntegrationError::Invalid(vec![InvalidField::new(
                    "recipients",
                    "add a recipient to send a test message to",
                )]));
            }
            ChannelConfig::Smtp(smtp) => smtp.recipients.clone(),
            ChannelConfig::Pushover(_) => Vec::new(),
        };
        let outcome = self
            .transport
            .send(&integration.config, &to, &test_message())
            .await;
        let error = outcome.err().map(|error| error.to_string());
        self.integrations
            .record_result(
                channel,
                &DeliveryResult {
                    at: self.clock.now(),
                    error: error.clone(),
                },
            )
            .await?;
        let record = AuditRecord::by(actor, "integration.test")
            .target("integration", channel.as_str())
            .details(json!({"delivered": error.is_none()}));
        self.audit.record(record).await;
        Ok(TestOutcome {
            delivered: error.is_none(),
            error,
        })
    }

    /// One page of the outbox.
    pub async fn outbox(
        &self,
        actor: &Actor,
        query: &OutboxListQuery,
    ) -> Result<Page<OutboxEntry>, IntegrationError> {
        Self::require(actor)?;
        Ok(self.outbox.list(query).await?)
    }
}
