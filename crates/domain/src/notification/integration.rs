//! The delivery channels an admin configures: SMTP and Pushover.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::{Notification, NotificationKind, Severity};
use crate::PortError;
use crate::user::Email;

/// A delivery channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// Mail.
    Smtp,
    /// Pushover push messages.
    Pushover,
}

impl Channel {
    /// Both channels.
    pub const ALL: [Self; 2] = [Self::Smtp, Self::Pushover];

    /// The public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Smtp => "smtp",
            Self::Pushover => "pushover",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Channel {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|channel| channel.as_str() == value)
            .ok_or_else(|| "must be smtp or pushover".to_owned())
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required: a server that does not offer it is
    /// refused).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// No encryption (a local relay only).
    None,
}

impl SmtpSecurity {
    /// The public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Starttls => "starttls",
            Self::Tls => "tls",
            Self::None => "none",
        }
    }
}

impl FromStr for SmtpSecurity {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        match value {
            "starttls" => Ok(Self::Starttls),
            "tls" => Ok(Self::Tls),
            "none" => Ok(Self::None),
            _ => Err("must be one of: starttls, tls, none".to_owned()),
        }
    }
}

/// A mail server and who gets alerts.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Transport security.
    pub security: SmtpSecurity,
    /// Login, if the server wants one.
    pub username: Option<String>,
    /// Its password (sealed at rest, never returned).
    pub password: Option<SecretString>,
    /// The sender address.
    pub from_address: Email,
    /// The sender's display name.
    pub from_name: Option<String>,
    /// Who receives alerts (password resets go to their user only).
    pub recipients: Vec<Email>,
}

/// A Pushover application and user (or group).
#[derive(Debug, Clone)]
pub struct PushoverConfig {
    /// The application's API token (sealed at rest, never returned).
    pub app_token: SecretString,
    /// The user or group key (sealed at rest, never returned).
    pub user_key: SecretString,
    /// Only this device of the user's.
    pub device: Option<String>,
    /// Message priority, -2 (silent) to 1 (high).
    pub priority: i8,
}

/// A channel's settings.
#[derive(Debug, Clone)]
pub enum ChannelConfig {
    /// Mail.
    Smtp(SmtpConfig),
    /// Push.
    Pushover(PushoverConfig),
}

impl ChannelConfig {
    /// Its channel.
    pub fn channel(&self) -> Channel {
        match self {
            Self::Smtp(_) => Channel::Smtp,
            Self::Pushover(_) => Channel::Pushover,
        }
    }
}

/// Which notifications an integration receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The kinds it receives.
    pub events: Vec<NotificationKind>,
    /// Only at or above this severity.
    pub min_severity: Severity,
}

impl Default for Routing {
    fn default() -> Self {
        Self {
            events: NotificationKind::routable(),
            min_severity: Severity::Warning,
        }
    }
}

impl Routing {
    /// Whether a notification of this kind and severity goes out here.
    pub(crate) fn accepts(&self, notification: &Notification) -> bool {
        self.events.contains(&notification.kind()) && notification.severity() >= self.min_severity
    }
}

/// How the last delivery through an integration went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryResult {
    /// When.
    pub at: DateTime<Utc>,
    /// The server's error text; none when it worked.
    pub error: Option<String>,
}

/// A configured channel.
#[derive(Debug, Clone)]
pub struct Integration {
    /// On or off.
    pub enabled: bool,
    /// Its settings.
    pub config: ChannelConfig,
    /// What it receives.
    pub routing: Routing,
    /// The last delivery.
    pub last_result: Option<DeliveryResult>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Integration {
    /// Its channel.
    pub fn channel(&self) -> Channel {
        self.config.channel()
    }
}

/// Where integrations are kept, their secrets sealed.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait::async_trait]
pub trait IntegrationRepository: Send + Sync {
    /// Every configured integration.
    async fn all(&self) -> Result<Vec<Integration>, PortError>;

    /// Stores an integration (replacing the channel's earlier one).
    async fn save(&self, integration: &Integration) -> Result<(), PortError>;

    /// Records how a delivery through `channel` went.
    async fn record_result(
        &self,
        channel: Channel,
        result: &DeliveryResult,
    ) -> Result<(), PortError>;
}
