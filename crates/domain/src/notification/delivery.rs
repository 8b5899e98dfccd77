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
mod tests {
    use std::sync::Mutex;

    use secrecy::SecretString;
    use uuid::Uuid;

    use super::*;
    use crate::agent::{AgentId, Hostname};
    use crate::clock::MockClock;
    use crate::notification::{
        MockIntegrationRepository, MockOutboxRepository, MockTransport, NotificationId,
        PushoverConfig, Routing, Severity, SmtpConfig, SmtpSecurity, Unrouted,
    };
    use crate::test_support::t0;

    fn smtp(recipients: &[&str]) -> Integration {
        Integration {
            enabled: true,
            config: ChannelConfig::Smtp(SmtpConfig {
                host: "mail".into(),
                port: 25,
                security: SmtpSecurity::None,
                username: None,
                password: None,
                from_address: Email::parse("rmm@example.com").unwrap(),
                from_name: None,
                recipients: recipients
                    .iter()
                    .map(|r| Email::parse(r).unwrap())
                    .collect(),
            }),
            routing: Routing::default(),
            last_result: None,
            updated_at: t0(),
        }
    }

    fn pushover(min_severity: Severity) -> Integration {
        Integration {
            enabled: true,
            config: ChannelConfig::Pushover(PushoverConfig {
                app_token: SecretString::from("a".repeat(30)),
                user_key: SecretString::from("u".repeat(30)),
                device: None,
                priority: 0,
            }),
            routing: Routing {
                min_severity,
                ..Routing::default()
            },
            last_result: None,
            updated_at: t0(),
        }
    }

    fn offline(name: &str) -> Notification {
        Notification::AgentOffline {
            agent: AgentId(Uuid::new_v4()),
            hostname: Hostname::parse(name).unwrap(),
            at: t0(),
        }
    }

    #[test]
    fn routing_follows_each_integrations_events_and_severity() {
        let integrations = vec![smtp(&["ops@example.com"]), pushover(Severity::Critical)];
        assert_eq!(route(&integrations, &offline("pc")), vec![Channel::Smtp]);
        let overdue = Notification::AgentOverdue {
            agent: AgentId(Uuid::nil()),
            hostname: Hostname::parse("pc").unwrap(),
            at: t0(),
        };
        assert_eq!(
            route(&integrations, &overdue),
            vec![Channel::Smtp, Channel::Pushover]
        );
        assert!(
            route(&[smtp(&[])], &offline("pc")).is_empty(),
            "no recipients"
        );
        let mut disabled = smtp(&["ops@example.com"]);
        disabled.enabled = false;
        assert!(route(&[disabled], &offline("pc")).is_empty());
    }

    fn service(
        outbox: MockOutboxRepository,
        transport: MockTransport,
        integrations: Vec<Integration>,
    ) -> DeliveryService {
        let mut repository = MockIntegrationRepository::new();
        repository
            .expect_all()
            .returning(move || Ok(integrations.clone()));
        repository.expect_record_result().returning(|_, _| Ok(()));
        DeliveryService::new(
            Arc::new(outbox),
            Arc::new(repository),
            Arc::new(transport),
            Arc::new(MockClock::fixed(t0())),
            DeliverySettings::new("https://rmm.example.com"),
        )
    }

    #[tokio::test]
    async fn a_storm_goes_out_as_one_message_per_channel() {
        let mut outbox = MockOutboxRepository::new();
        outbox.expect_unrouted().returning(|_| {
            Ok(vec![Unrouted {
                id: NotificationId(1),
                notification: offline("pc-0"),
            }])
        });
        outbox
            .expect_route()
            .withf(|_, channels, _| channels == [Channel::Smtp])
            .returning(|_, _, _| Ok(true));
        outbox.expect_claim().returning(|_, _, _| {
            Ok((0..500)
                .map(|i| Delivery {
                    id: DeliveryId(i),
                    channel: Channel::Smtp,
                    attempts: 0,
                    notification: offline(&format!("pc-{i}")),
                })
                .collect())
        });
        outbox
            .expect_sent()
            .withf(|ids, _| ids.len() == 500)
            .times(1)
            .returning(|_, _| Ok(()));
        let subjects = Arc::new(Mutex::new(Vec::new()));
        let seen = subjects.clone();
        let mut transport = MockTransport::new();
        transport
            .expect_send()
            .times(1)
            .returning(move |_, to, message| {
                assert_eq!(to.len(), 1);
                seen.lock().unwrap().push(message.subject.clone());
                Ok(())
            });
        let report = service(outbox, transport, vec![smtp(&["ops@example.com"])])
            .run_once()
            .await
            .unwrap();
        assert_eq!((report.routed, report.messages, report.sent), (1, 1, 500));
        assert_eq!(
            subjects.lock().unwrap().as_slice(),
            ["[SlimRMM] 500 agents went offline"]
        );
    }

    #[tokio::test]
    async fn transient_failures_retry_with_backoff_and_permanent_ones_are_dead() {
        let claim = |attempts: u32| {
            move |_: DateTime<Utc>, _: TimeDelta, _: u32| {
                Ok(vec![Delivery {
                    id: DeliveryId(7),
                    channel: Channel::Smtp,
                    attempts,
                    notification: offline("pc"),
                }])
            }
        };
        for (attempts, error, retry) in [
            (
                0,
                DeliveryError::Transient("timeout".into()),
                Some(t0() + TimeDelta::seconds(30)),
            ),
            (
                2,
                DeliveryError::Transient("timeout".into()),
                Some(t0() + TimeDelta::seconds(120)),
            ),
            (7, DeliveryError::Transient("timeout".into()), None),
            (0, DeliveryError::Permanent("550 no such user".into()), None),
        ] {
            let mut outbox = MockOutboxRepository::new();
            outbox.expect_unrouted().returning(|_| Ok(Vec::new()));
            outbox.expect_claim().returning(claim(attempts));
            outbox
                .expect_failed()
                .withf(move |_, _, retry_at, _| *retry_at == retry)
                .times(1)
                .returning(|_, _, _, _| Ok(()));
            let mut transport = MockTransport::new();
            let failure = error.clone();
            transport
                .expect_send()
                .returning(move |_, _, _| Err(failure.clone()));
            service(outbox, transport, vec![smtp(&["ops@example.com"])])
                .run_once()
                .await
                .unwrap();
        }
    }
}
