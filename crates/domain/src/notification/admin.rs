//! What admins do with integrations: configure SMTP and Pushover, test them, read the outbox.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use super::{
    Channel, ChannelConfig, DeliveryResult, Integration, IntegrationRepository, NotificationKind,
    OutboxEntry, OutboxListQuery, OutboxRepository, PushoverConfig, Routing, Severity, SmtpConfig,
    SmtpSecurity, Transport, test_message,
};
use crate::audit::{AuditRecord, AuditService};
use crate::auth::{Actor, Capability};
use crate::clock::Clock;
use crate::list::Page;
use crate::user::Email;
use crate::{InvalidField, PortError};

/// SMTP settings as an admin wrote them.
#[derive(Debug, Clone, Default)]
pub struct SmtpInput {
    /// On or off.
    pub enabled: bool,
    /// Host name or address.
    pub host: String,
    /// 1 to 65535.
    pub port: i64,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    /// Login.
    pub username: Option<String>,
    /// Password; `None` keeps the stored one.
    pub password: Option<SecretString>,
    /// Sender address.
    pub from_address: String,
    /// Sender name.
    pub from_name: Option<String>,
    /// Who gets alerts.
    pub recipients: Vec<String>,
    /// Kinds received (default: all but password resets).
    pub events: Option<Vec<String>>,
    /// Minimum severity (default `warning`).
    pub min_severity: Option<String>,
}

/// Pushover settings as an admin wrote them.
#[derive(Debug, Clone, Default)]
pub struct PushoverInput {
    /// On or off.
    pub enabled: bool,
    /// Application token; `None` keeps the stored one.
    pub app_token: Option<SecretString>,
    /// User or group key; `None` keeps the stored one.
    pub user_key: Option<SecretString>,
    /// Only this device.
    pub device: Option<String>,
    /// -2 to 1 (default 0).
    pub priority: Option<i64>,
    /// Kinds received.
    pub events: Option<Vec<String>>,
    /// Minimum severity.
    pub min_severity: Option<String>,
}

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

fn is_token(value: &str) -> bool {
    value.len() == 30 && value.chars().all(|c| c.is_ascii_alphanumeric())
}

fn routing(
    events: Option<&[String]>,
    min_severity: Option<&str>,
    current: Option<&Routing>,
    errors: &mut Vec<InvalidField>,
) -> Routing {
    let fallback = current.cloned().unwrap_or_default();
    let events = match events {
        None => fallback.events,
        Some(names) => names
            .iter()
            .enumerate()
            .filter_map(|(index, name)| match name.parse::<NotificationKind>() {
                Ok(kind) if kind != NotificationKind::PasswordReset => Some(kind),
                Ok(_) => {
                    errors.push(InvalidField::new(
                        format!("events[{index}]"),
                        "password resets always go by mail to their user; they are not routed",
                    ));
                    None
                }
                Err(message) => {
                    errors.push(InvalidField::new(format!("events[{index}]"), message));
                    None
                }
            })
            .collect(),
    };
    let min_severity = match min_severity {
        None => fallback.min_severity,
        Some(name) => name.parse::<Severity>().unwrap_or_else(|message| {
            errors.push(InvalidField::new("min_severity", message));
            Severity::Warning
        }),
    };
    Routing {
        events,
        min_severity,
    }
}

fn text(
    field: &str,
    value: Option<&str>,
    max: usize,
    errors: &mut Vec<InvalidField>,
) -> Option<String> {
    let value = value.map(str::trim).filter(|value| !value.is_empty())?;
    if value.chars().count() > max || value.chars().any(char::is_control) {
        errors.push(InvalidField::new(
            field,
            format!("must be one line of at most {max} characters"),
        ));
        return None;
    }
    Some(value.to_owned())
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
        if actor.can(Capability::Administer) {
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

    /// Replaces the SMTP settings (an omitted password keeps the stored one).
    pub async fn put_smtp(
        &self,
        actor: &Actor,
        input: SmtpInput,
    ) -> Result<Integration, IntegrationError> {
        Self::require(actor)?;
        let current = self.current(Channel::Smtp).await?;
        let mut errors = Vec::new();
        let host = input.host.trim().to_owned();
        if host.is_empty()
            || host.len() > 253
            || host.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            errors.push(InvalidField::new("host", "must be a host name or address"));
        }
        let port = u16::try_from(input.port).ok().filter(|port| *port > 0);
        if port.is_none() {
            errors.push(InvalidField::new("port", "must be between 1 and 65535"));
        }
        let security = input
            .security
            .parse::<SmtpSecurity>()
            .map_err(|message| errors.push(InvalidField::new("security", message)))
            .ok();
        let from_address = Email::parse(&input.from_address)
            .map_err(|error| errors.push(InvalidField::new("from_address", error.to_string())))
            .ok();
        let recipients: Vec<Email> = input
            .recipients
            .iter()
            .enumerate()
            .filter_map(|(index, raw)| {
                Email::parse(raw)
                    .map_err(|error| {
                        errors.push(InvalidField::new(
                            format!("recipients[{index}]"),
                            error.to_string(),
                        ))
                    })
                    .ok()
            })
            .collect();
        let username = text("username", input.username.as_deref(), 256, &mut errors);
        let from_name = text("from_name", input.from_name.as_deref(), 128, &mut errors);
        let stored_password = current
            .as_ref()
            .and_then(|integration| match &integration.config {
                ChannelConfig::Smtp(smtp) => smtp.password.clone(),
                ChannelConfig::Pushover(_) => None,
            });
        let password = input
            .password
            .filter(|password| !password.expose_secret().is_empty())
            .or(stored_password);
        if username.is_some() && password.is_none() {
            errors.push(InvalidField::new("password", "is required with a username"));
        }
        let routing = routing(
            input.events.as_deref(),
            input.min_severity.as_deref(),
            current.as_ref().map(|integration| &integration.routing),
            &mut errors,
        );
        let (Some(port), Some(security), Some(from_address), true) =
            (port, security, from_address, errors.is_empty())
        else {
            return Err(IntegrationError::Invalid(errors));
        };
        let integration = Integration {
            enabled: input.enabled,
            config: ChannelConfig::Smtp(SmtpConfig {
                host,
                port,
                security,
                username,
                password,
                from_address,
                from_name,
                recipients,
            }),
            routing,
            last_result: current.and_then(|integration| integration.last_result),
            updated_at: self.clock.now(),
        };
        self.integrations.save(&integration).await?;
        tracing::info!(by = %actor.id(), enabled = integration.enabled, "SMTP settings changed");
        self.record_change(actor, &integration).await;
        Ok(integration)
    }

    /// Replaces the Pushover settings (omitted secrets keep the stored ones).
    pub async fn put_pushover(
        &self,
        actor: &Actor,
        input: PushoverInput,
    ) -> Result<Integration, IntegrationError> {
        Self::require(actor)?;
        let current = self.current(Channel::Pushover).await?;
        let stored = current
            .as_ref()
            .and_then(|integration| match &integration.config {
                ChannelConfig::Pushover(pushover) => Some(pushover.clone()),
                ChannelConfig::Smtp(_) => None,
            });
        let mut errors = Vec::new();
        let mut secret =
            |field: &str, given: Option<SecretString>, kept: Option<SecretString>| match given
                .or(kept)
            {
                Some(value) if is_token(value.expose_secret()) => Some(value),
                Some(_) => {
                    errors.push(InvalidField::new(field, "must be 30 letters and digits"));
                    None
                }
                None => {
                    errors.push(InvalidField::new(field, "is required"));
                    None
                }
            };
        let app_token = secret(
            "app_token",
            input.app_token,
            stored.as_ref().map(|s| s.app_token.clone()),
        );
        let user_key = secret(
            "user_key",
            input.user_key,
            stored.as_ref().map(|s| s.user_key.clone()),
        );
        let device = input
            .device
            .map(|device| device.trim().to_owned())
            .filter(|d| !d.is_empty());
        if let Some(device) = &device
            && (device.len() > 25
                || !device
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            errors.push(InvalidField::new(
                "device",
                "must be at most 25 letters, digits, '_' and '-'",
            ));
        }
        let priority = input.priority.unwrap_or(0);
        if !(-2..=1).contains(&priority) {
            errors.push(InvalidField::new(
                "priority",
                "must be between -2 and 1 (emergency priority 2 needs acknowledgement settings SlimRMM does not send)",
            ));
        }
        let routing = routing(
            input.events.as_deref(),
            input.min_severity.as_deref(),
            current.as_ref().map(|integration| &integration.routing),
            &mut errors,
        );
        let (Some(app_token), Some(user_key), true) = (app_token, user_key, errors.is_empty())
        else {
            return Err(IntegrationError::Invalid(errors));
        };
        let integration = Integration {
            enabled: input.enabled,
            config: ChannelConfig::Pushover(PushoverConfig {
                app_token,
                user_key,
                device,
                priority: i8::try_from(priority).unwrap_or(0),
            }),
            routing,
            last_result: current.and_then(|integration| integration.last_result),
            updated_at: self.clock.now(),
        };
        self.integrations.save(&integration).await?;
        tracing::info!(by = %actor.id(), enabled = integration.enabled, "Pushover settings changed");
        self.record_change(actor, &integration).await;
        Ok(integration)
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
