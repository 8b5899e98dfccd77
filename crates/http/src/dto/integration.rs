use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use slimrmm_domain::notification::{Channel, ChannelConfig, Integration, OutboxEntry, TestOutcome};
use utoipa::ToSchema;

/// How the last delivery went.
#[derive(Debug, Serialize, ToSchema)]
pub struct LastResultResponse {
    /// When.
    pub at: DateTime<Utc>,
    /// Whether it was delivered.
    pub ok: bool,
    /// The server's error text.
    pub error: Option<String>,
}

/// A delivery channel and its settings; secrets never come back (`*_set` says whether one
/// is stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationResponse {
    /// `smtp` or `pushover`.
    #[schema(example = "smtp")]
    pub name: &'static str,
    /// On or off.
    pub enabled: bool,
    /// Whether settings were saved.
    pub configured: bool,
    /// The non-secret settings (`host`, `port`, `security`, `username`, `from_address`,
    /// `from_name`, `recipients`, `password_set` for SMTP; `device`, `priority`,
    /// `app_token_set`, `user_key_set` for Pushover).
    #[schema(value_type = Object)]
    pub settings: Value,
    /// The notification kinds it receives.
    pub events: Vec<&'static str>,
    /// Only at or above this severity (`info`, `warning`, `critical`).
    pub min_severity: &'static str,
    /// The last delivery through it.
    pub last_result: Option<LastResultResponse>,
    /// Last change.
    pub updated_at: Option<DateTime<Utc>>,
}

impl IntegrationResponse {
    /// The response for `channel`, configured or not.
    pub fn new(channel: Channel, integration: Option<Integration>) -> Self {
        let Some(integration) = integration else {
            let defaults = slimrmm_domain::notification::Routing::default();
            return Self {
                name: channel.as_str(),
                enabled: false,
                configured: false,
                settings: json!({}),
                events: defaults.events.iter().map(|kind| kind.as_str()).collect(),
                min_severity: defaults.min_severity.as_str(),
                last_result: None,
                updated_at: None,
            };
        };
        let settings = match &integration.config {
            ChannelConfig::Smtp(smtp) => json!({
                "host": smtp.host,
                "port": smtp.port,
                "security": smtp.security.as_str(),
                "username": smtp.username,
                "password_set": smtp.password.is_some(),
                "from_address": smtp.from_address.as_str(),
                "from_name": smtp.from_name,
                "recipients": smtp.recipients.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            }),
            ChannelConfig::Pushover(pushover) => json!({
                "device": pushover.device,
                "priority": pushover.priority,
                "app_token_set": true,
                "user_key_set": true,
            }),
        };
        Self {
            name: channel.as_str(),
            enabled: integration.enabled,
            configured: true,
            settings,
            events: integration
                .routing
                .events
                .iter()
                .map(|kind| kind.as_str())
                .collect(),
            min_severity: integration.routing.min_severity.as_str(),
            last_result: integration.last_result.map(|result| LastResultResponse {
                at: result.at,
                ok: result.error.is_none(),
                error: result.error,
            }),
            updated_at: Some(integration.updated_at),
        }
    }
}

/// How a test message went.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestResultResponse {
    /// Delivered.
    pub delivered: bool,
    /// The server's error text.
    pub error: Option<String>,
}

impl From<TestOutcome> for TestResultResponse {
    fn from(outcome: TestOutcome) -> Self {
        Self {
            delivered: outcome.delivered,
            error: outcome.error,
        }
    }
}

/// One delivery of a notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    /// `smtp` or `pushover`.
    pub channel: &'static str,
    /// `pending`, `sent` or `dead`.
    pub status: &'static str,
    /// Attempts made.
    pub attempts: u32,
    /// The last error.
    pub last_error: Option<String>,
    /// The next attempt, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When it was delivered.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A notification in the outbox (no secrets).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxEntryResponse {
    /// Identifier.
    pub id: i64,
    /// `password_reset`, `agent_offline`, `agent_overdue`, `threshold_alert`,
    /// `agent_pending_approval` or `run_failed`.
    pub kind: &'static str,
    /// `info`, `warning` or `critical`.
    pub severity: &'static str,
    /// One line for people.
    pub summary: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// When it was routed to its channels (none: not yet).
    pub routed_at: Option<DateTime<Utc>>,
    /// One per channel it was routed to (empty once routed: no channel wanted it).
    pub deliveries: Vec<DeliveryResponse>,
}

impl From<OutboxEntry> for OutboxEntryResponse {
    fn from(entry: OutboxEntry) -> Self {
        Self {
            id: entry.id.0,
            kind: entry.kind.as_str(),
            severity: entry.severity.as_str(),
            summary: entry.summary,
            created_at: entry.created_at,
            routed_at: entry.routed_at,
            deliveries: entry
                .deliveries
                .into_iter()
                .map(|delivery| DeliveryResponse {
                    channel: delivery.channel.as_str(),
                    status: delivery.status.as_str(),
                    attempts: delivery.attempts,
                    last_error: delivery.last_error,
                    next_attempt_at: delivery.next_attempt_at,
                    sent_at: delivery.sent_at,
                })
                .collect(),
        }
    }
}
