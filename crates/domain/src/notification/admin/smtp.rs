//! Configuring mail notifications.

use secrecy::{ExposeSecret, SecretString};

use super::fields::{Fields, line, port, routing, smtp_host};
use super::{IntegrationError, IntegrationService};
use crate::auth::Actor;
use crate::notification::{Channel, ChannelConfig, Integration, SmtpConfig, SmtpSecurity};
use crate::user::Email;

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

impl IntegrationService {
    /// Replaces the SMTP settings (an omitted password keeps the stored one).
    pub async fn put_smtp(
        &self,
        actor: &Actor,
        input: SmtpInput,
    ) -> Result<Integration, IntegrationError> {
        Self::require(actor)?;
        let current = self.current(Channel::Smtp).await?;
        let mut fields = Fields::default();
        let host = fields.check("host", smtp_host(&input.host));
        let port = fields.check("port", port(input.port));
        let security = fields.check("security", input.security.parse::<SmtpSecurity>());
        let from_address = fields.check("from_address", Email::parse(&input.from_address));
        let recipients: Vec<Email> = (input.recipients.iter().enumerate())
            .filter_map(|(index, raw)| {
                fields.check(format!("recipients[{index}]"), Email::parse(raw))
            })
            .collect();
        let username = fields.check("username", line(input.username.as_deref(), 256));
        let from_name = fields.check("from_name", line(input.from_name.as_deref(), 128));
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
        let username = username.flatten();
        if username.is_some() && password.is_none() {
            fields.refuse("password", "is required with a username");
        }
        let routing = routing(
            input.events.as_deref(),
            input.min_severity.as_deref(),
            current.as_ref().map(|integration| &integration.routing),
            &mut fields,
        );
        let (Some(host), Some(port), Some(security), Some(from_address), true) =
            (host, port, security, from_address, fields.is_empty())
        else {
            return Err(fields.into_error());
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
                from_name: from_name.flatten(),
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
}
