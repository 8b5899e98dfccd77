use chrono::{DateTime, Utc};
use serde::Serialize;
use slimrmm_domain::tenancy::{AgentCounts, Client, ClientSummary, Site, SiteSummary};
use utoipa::ToSchema;

/// What a dashboard shows of a client's or a site's agents.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentCountsResponse {
    /// Live agents, in any status.
    pub total: u64,
    /// Connected.
    pub online: u64,
    /// Approved, not connected.
    pub offline: u64,
    /// Offline past the overdue threshold (counted in `offline` too).
    pub overdue: u64,
    /// Waiting for approval.
    pub pending: u64,
    /// Their alerts nobody acknowledged yet.
    pub open_alerts: u64,
}

impl From<AgentCounts> for AgentCountsResponse {
    fn from(counts: AgentCounts) -> Self {
        Self {
            total: counts.total,
            online: counts.online,
            offline: counts.offline,
            overdue: counts.overdue,
            pending: counts.pending,
            open_alerts: counts.open_alerts,
        }
    }
}

/// A client (a customer of the MSP).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientResponse {
    /// Identifier.
    #[schema(example = 3)]
    pub id: i64,
    /// Unique without regard to case.
    #[schema(example = "Acme Corp")]
    pub name: String,
    /// How many sites it has (absent in the answer to a change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sites: Option<u64>,
    /// Its agents (absent in the answer to a change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<AgentCountsResponse>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last rename.
    pub updated_at: DateTime<Utc>,
}

impl From<Client> for ClientResponse {
    fn from(client: Client) -> Self {
        Self {
            id: client.id.0,
            name: client.name.as_str().to_owned(),
            sites: None,
            agents: None,
            created_at: client.created_at,
            updated_at: client.updated_at,
        }
    }
}

impl From<ClientSummary> for ClientResponse {
    fn from(summary: ClientSummary) -> Self {
        Self {
            sites: Some(summary.sites),
            agents: Some(summary.counts.into()),
            ..Self::from(summary.client)
        }
    }
}

/// A site (a location of a client, holding agents).
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteResponse {
    /// Identifier.
    #[schema(example = 7)]
    pub id: i64,
    /// The client it belongs to.
    #[schema(example = 3)]
    pub client_id: i64,
    /// Unique within its client, without regard to case.
    #[schema(example = "Berlin office")]
    pub name: String,
    /// Its agents (absent in the answer to a change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<AgentCountsResponse>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last rename.
    pub updated_at: DateTime<Utc>,
}

impl From<Site> for SiteResponse {
    fn from(site: Site) -> Self {
        Self {
            id: site.id.0,
            client_id: site.client.0,
            name: site.name.as_str().to_owned(),
            agents: None,
            created_at: site.created_at,
            updated_at: site.updated_at,
        }
    }
}

impl From<SiteSummary> for SiteResponse {
    fn from(summary: SiteSummary) -> Self {
        Self {
            agents: Some(summary.counts.into()),
            ..Self::from(summary.site)
        }
    }
}
