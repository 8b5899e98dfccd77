//! The delivery worker's logic: route new notifications to the integrations that want them,
//! then send due deliveries, grouping storms, with retries and dead-lettering.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::{
    Channel, ChannelConfig, Delivery, DeliveryError, DeliveryId, DeliveryResult, Integration,
    IntegrationRepository, Notification, NotificationKind, OutboxRepository, Transport, backoff,
    render,
};
use crate::PortError;
use crate::clock::Clock;
use crate::user::Email;

/// How deliveries are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySettings {
    /// The server's public URL, for links (`SLIMRMM_PUBLIC_URL`).
    pub public_url: String,
    /// Attempts before a delivery is dead (8).
    pub max_attempts: u32,
    /// The first retry waits this long, doubling after (30 s).
    pub backoff: TimeDelta,
    /// The longest wait between attempts (1 h).
    pub max_backoff: TimeDelta,
    /// A claimed delivery is retried by another worker after this long if its worker died (2
    /// minutes).
    pub lease: TimeDelta,
    /// At most this many notifications routed and deliveries claimed per round (500).
    pub batch: u32,
}

impl DeliverySettings {
    /// Defaults with the given public URL.
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into(),
            max_attempts: 8,
            backoff: TimeDelta::seconds(30),
            max_backoff: TimeDelta::hours(1),
            lease: TimeDelta::minutes(2),
            batch: 500,
        }
    }
}

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Notifications routed.
    pub routed: usize,
    /// Messages sent (a grouped storm counts once).
    pub messages: usize,
    /// Deliveries marked sent.
    pub sent: usize,
    /// Deliveries to be retried.
    pub retried: usize,
    /// Deliveries given up on.
    pub dead: usize,
}

/// Routes and delivers the outbox.
#[derive(Clone)]
pub struct DeliveryService {
    outbox: Arc<dyn OutboxRepository>,
    integrations: Arc<dyn IntegrationRepository>,
    transport: Arc<dyn Transport>,
    clock: Arc<dyn Clock>,
    settings: DeliverySettings,
}

fn usable(integrations: &[Integration], channel: Channel) -> Option<&Integration> {
    integrations
        .iter()
        .find(|integration| integration.enabled && integration.channel() == channel)
}

/// The channels a notification goes to under the current integrations.
fn route(integrations: &[Integration], notification: &Notification) -> Vec<Channel> {
    if notification.kind() == NotificationKind::PasswordReset {
        return usable(integrations, Channel::Smtp)
            .map(|_| vec![Channel::Smtp])
            .unwrap_or_default();
    }
    integrations
        .iter()
        .filter(|integration| integration.enabled && integration.routing.accepts(notification))
        .filter(|integration| match &integration.config {
            ChannelConfig::Smtp(smtp) => !smtp.recipients.is_empty(),
            ChannelConfig::Pushover(_) => true,
        })
        .map(Integration::channel)
        .collect()
}

/// Who receives a mail about `notification`.
fn recipients(config: &ChannelConfig, notification: &Notification) -> Vec<Email> {
    match (config, notification) {
        (_, Notification::PasswordReset { email, .. }) => vec![email.clone()],
        (ChannelConfig::Smtp(smtp), _) => smtp.recipients.clone(),
        (ChannelConfig::Pushover(_), _) => Vec::new(),
    }
}

impl DeliveryService {
    /// Builds the service.
    pub fn new(
        outbox: Arc<dyn OutboxRepository>,
        integrations: Arc<dyn IntegrationRepository>,
        transport: Arc<dyn Transport>,
        clock: Arc<dyn Clock>,
        settings: DeliverySettings,
    ) -> Self {
        Self {
            outbox,
            integrations,
            transport,
            clock,
            settings,
        }
    }

    /// One round: route what is new, send what is due. Called every few seconds by every
    /// server process; claims are exclusive, so nothing is sent twice.
    pub async fn run_once(&self) -> Result<DeliveryReport, PortError> {
        let now = self.clock.now();
        let integrations = self.integrations.all().await?;
        let mut report = DeliveryReport::default();
        for unrouted in self.outbox.unrouted(self.settings.batch).await? {
            let channels = route(&integrations, &unrouted.notification);
            if channels.is_empty()
                && unrouted.notification.kind() == NotificationKind::PasswordReset
            {
                tracing::warn!(notification = %unrouted.id, "no password-reset mail could be sent: SMTP is not configured or disabled");
            }
            if self.outbox.route(unrouted.id, &channels, now).await? {
                report.routed += 1;
            }
        }
        let claimed = self
            .outbox
            .claim(now, self.settings.lease, self.settings.batch)
            .await?;
        for group in groups(claimed) {
            self.deliver(&integrations, &group, now, &mut report)
                .await?;
        }
        Ok(report)
    }

    async fn deliver(
        &self,
        integrations: &[Integration],
        group: &[Delivery],
        now: DateTime<Utc>,
        report: &mut DeliveryReport,
    ) -> Result<(), PortError> {
        let Some(first) = group.first() else {
            return Ok(());
        };
        let ids: Vec<DeliveryId> = group.iter().map(|delivery| delivery.id).collect();
        let Some(integration) = usable(integrations, first.channel) else {
            self.outbox
                .failed(
                    &ids,
                    "the integration was disabled before delivery",
                    None,
                    now,
                )
                .await?;
            report.dead += ids.len();
            return Ok(());
        };
        let notifications: Vec<Notification> = group
            .iter()
            .map(|delivery| delivery.notification.clone())
            .collect();
        let Some(message) = render(&notifications, &self.settings.public_url) else {
            return Ok(());
        };
        let to = recipients(&integration.config, &first.notification);
        let outcome = self
            .transport
            .send(&integration.config, &to, &message)
            .await;
        report.messages += 1;
        let error = match outcome {
            Ok(()) => {
                self.outbox.sent(&ids, now).await?;
                report.sent += ids.len();
                None
            }
            Err(error) => {
                let attempts = group
                    .iter()
                    .map(|delivery| delivery.attempts)
                    .max()
                    .unwrap_or(0)
                    + 1;
                let retry_at = match &error {
                    DeliveryError::Transient(_) if attempts < self.settings.max_attempts => Some(
                        now + backoff(
                            attempts - 1,
                            self.settings.backoff,
                            self.settings.max_backoff,
                        ),
                    ),
                    _ => None,
                };
                tracing::warn!(channel = %first.channel, kind = %first.notification.kind(), attempts, error = %error, retry = retry_at.is_some(), "delivery failed");
                self.outbox
                    .failed(&ids, &error.to_string(), retry_at, now)
                    .await?;
                if retry_at.is_some() {
                    report.retried += ids.len();
                } else {
                    report.dead += ids.len();
                }
                Some(error.to_string())
            }
        };
        self.integrations
            .record_result(first.channel, &DeliveryResult { at: now, error })
            .await
    }
}

/// Deliveries grouped into messages: one per channel and kind (a storm of 500 offline agents
/// is one message), except password resets, which are personal.
fn groups(claimed: Vec<Delivery>) -> Vec<Vec<Delivery>> {
    let mut grouped: BTreeMap<(Channel, NotificationKind, i64), Vec<Delivery>> = BTreeMap::new();
    for delivery in claimed {
        let kind = delivery.notification.kind();
        let personal = if kind == NotificationKind::PasswordReset {
            delivery.id.0
        } else {
            0
        };
        grouped
            .entry((delivery.channel, kind, personal))
            .or_default()
            .push(delivery);
    }
    grouped.into_values().collect()
}

#[cfg(test)]
mod tests;
