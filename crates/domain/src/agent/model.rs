use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{AgentFacts, DisplayName, Tags};
use crate::auth::TokenDigest;
use crate::enrollment::EnrollmentTokenId;
use crate::tenancy::{ClientId, SiteId};

/// An agent's identity: the uuid the server assigned at enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentId(pub Uuid);

impl fmt::Display for AgentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for AgentId {
    type Err = uuid::Error;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(value).map(Self)
    }
}

/// Where an agent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentStatus {
    /// Registered; waits for an admin to approve it.
    Pending,
    /// Refused by an admin.
    Rejected,
    /// Approved and connected.
    Online,
    /// Approved, not connected.
    Offline,
}

impl AgentStatus {
    /// Every status.
    pub const ALL: [AgentStatus; 4] = [Self::Pending, Self::Rejected, Self::Online, Self::Offline];

    /// The public name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Rejected => "rejected",
            Self::Online => "online",
            Self::Offline => "offline",
        }
    }

    /// Approved agents are online or offline; they may hold certificates.
    pub fn is_approved(self) -> bool {
        matches!(self, Self::Online | Self::Offline)
    }

    /// The enrollment state as the agent understands it: `pending`, `approved` or `rejected`.
    pub fn enrollment(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Rejected => "rejected",
            Self::Online | Self::Offline => "approved",
        }
    }
}

impl FromStr for AgentStatus {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == value)
            .ok_or_else(|| format!("unknown agent status {value:?}"))
    }
}

/// A managed machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Its identity.
    pub id: AgentId,
    /// What it reported at registration.
    pub facts: AgentFacts,
    /// A name technicians gave it.
    pub display_name: Option<DisplayName>,
    /// The public IP it reports (untrusted text).
    pub external_ip: Option<String>,
    /// The hardware serial it reports (untrusted text).
    pub serial_number: Option<String>,
    /// Its tags.
    pub tags: Tags,
    /// The site it is in.
    pub site: SiteId,
    /// The client of its site: what access scopes compare.
    pub client: ClientId,
    /// Where it stands.
    pub status: AgentStatus,
    /// When it was approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// When it was last heard from (its connection, or a heartbeat; at most a minute stale).
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The agent says it is in maintenance mode (destructive actions blocked).
    pub maintenance: bool,
    /// When it was marked overdue (offline for long), until it comes back.
    pub overdue_since: Option<DateTime<Utc>>,
    /// When it first registered.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// The digests of the two secrets an agent holds: its registration token (to poll and fetch
/// its certificate) and its re-registration secret (to keep its identity across re-installs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentSecrets {
    /// Digest of the registration token.
    pub registration_token: TokenDigest,
    /// Digest of the re-registration secret.
    pub reregistration_secret: TokenDigest,
}

/// An agent about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgent {
    /// Its new identity.
    pub id: AgentId,
    /// What it reported.
    pub facts: AgentFacts,
    /// Tags from its enrollment token.
    pub tags: Tags,
    /// `Pending`, or `Offline` when its token approves automatically.
    pub status: AgentStatus,
    /// Its secrets' digests.
    pub secrets: AgentSecrets,
    /// The enrollment token it used.
    pub enrollment_token: EnrollmentTokenId,
    /// The token's site, where it lands.
    pub site: SiteId,
}
