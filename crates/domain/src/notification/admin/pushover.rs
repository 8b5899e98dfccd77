//! Configuring Pushover notifications.

use secrecy::SecretString;

use super::fields::{Fields, pushover_device, pushover_priority, pushover_secret, routing};
use super::{IntegrationError, IntegrationService};
use crate::auth::Actor;
use crate::notification::{Channel, ChannelConfig, Integration, PushoverConfig};

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

impl IntegrationService {
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
        let kept =
            |secret: fn(&PushoverConfig) -> &SecretString| stored.as_ref().map(secret).cloned();
        let mut fields = Fields::default();
        let app_token = fields.check(
            "app_token",
            pushover_secret(input.app_token, kept(|stored| &stored.app_token)),
        );
        let user_key = fields.check(
            "user_key",
            pushover_secret(input.user_key, kept(|stored| &stored.user_key)),
        );
        let device = fields.check("device", pushover_device(input.device));
        let priority = fields.check("priority", pushover_priority(input.priority));
        let routing = routing(
            input.events.as_deref(),
            input.min_severity.as_deref(),
            current.as_ref().map(|integration| &integration.routing),
            &mut fields,
        );
        let (Some(app_token), Some(user_key), Some(device), Some(priority), true) =
            (app_token, user_key, device, priority, fields.is_empty())
        else {
            return Err(fields.into_error());
        };
        let integration = Integration {
            enabled: input.enabled,
            config: ChannelConfig::Pushover(PushoverConfig {
                app_token,
                user_key,
                device,
                priority,
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
}
