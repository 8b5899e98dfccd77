use std::fmt;

use chrono::{DateTime, Utc};

/// A client's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(pub i64);

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A site's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SiteId(pub i64);

impl fmt::Display for SiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The name of a client or a site: 1 to 128 characters, trimmed, no control characters;
/// unique without regard to case among its siblings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantName(String);

impl TenantName {
    /// Trims and checks.
    pub fn parse(raw: &str) -> Result<Self, crate::agent::LabelError> {
        crate::agent::DisplayName::parse(raw).map(|name| Self(name.as_str().to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A customer of the MSP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// Its id.
    pub id: ClientId,
    /// Its name, unique without regard to case.
    pub name: TenantName,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last renamed.
    pub updated_at: DateTime<Utc>,
}

/// A location of a client, holding agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Its id.
    pub id: SiteId,
    /// The client it belongs to (for ever: sites do not change client).
    pub client: ClientId,
    /// Its name, unique without regard to case within its client.
    pub name: TenantName,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last renamed.
    pub updated_at: DateTime<Utc>,
}

/// What a dashboard shows of a client's or a site's agents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentCounts {
    /// Live agents (not deleted), in any status.
    pub total: u64,
    /// Connected.
    pub online: u64,
    /// Approved but not connected.
    pub offline: u64,
    /// Offline for longer than the overdue threshold (counted in `offline` too).
    pub overdue: u64,
    /// Waiting for approval.
    pub pending: u64,
    /// Alerts of these agents nobody acknowledged yet.
    pub open_alerts: u64,
}

/// A client with its number of sites and its agents' counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSummary {
    /// The client.
    pub client: Client,
    /// How many sites it has.
    pub sites: u64,
    /// Its agents.
    pub counts: AgentCounts,
}

/// A site with its agents' counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSummary {
    /// The site.
    pub site: Site,
    /// Its agents.
    pub counts: AgentCounts,
}
