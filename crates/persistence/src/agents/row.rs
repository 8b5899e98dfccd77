use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{
    Agent, AgentFacts, AgentId, AgentSecrets, AgentVersion, Arch, DisplayName, Hostname,
    StoredAgent, Tags,
};
use slimrmm_domain::auth::TokenDigest;
use slimrmm_domain::tenancy::{ClientId, SiteId};
use uuid::Uuid;

use crate::error::corrupt;
use crate::schema::agents;

/// An agent as stored, without its secrets.
#[derive(Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = agents, check_for_backend(Pg))]
pub(super) struct AgentRow {
    uuid: Uuid,
    hostname: String,
    display_name: Option<String>,
    os: String,
    arch: String,
    agent_version: String,
    external_ip: Option<String>,
    serial_number: Option<String>,
    tags: Vec<String>,
    status: String,
    approved_at: Option<DateTime<Utc>>,
    last_seen_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    maintenance: bool,
    overdue_at: Option<DateTime<Utc>>,
    site_id: Option<i64>,
    client_id: Option<i64>,
}

impl AgentRow {
    pub(super) fn into_domain(self) -> Result<Agent, PortError> {
        Ok(Agent {
            id: AgentId(self.uuid),
            facts: AgentFacts {
                hostname: Hostname::parse(&self.hostname).map_err(|e| corrupt("hostname", e))?,
                os: self.os.parse().map_err(|e| corrupt("os", e))?,
                arch: Arch::parse(&self.arch).map_err(|e| corrupt("arch", e))?,
                agent_version: AgentVersion::parse(&self.agent_version)
                    .map_err(|e| corrupt("agent version", e))?,
            },
            display_name: self
                .display_name
                .as_deref()
                .map(DisplayName::parse)
                .transpose()
                .map_err(|e| corrupt("display name", e))?,
            external_ip: self.external_ip,
            serial_number: self.serial_number,
            tags: Tags::parse(&self.tags).map_err(|e| corrupt("agent tags", e))?,
            // Only deleted agents, which no reader sees, have no site.
            site: SiteId(
                self.site_id
                    .ok_or_else(|| corrupt("agent site", "missing"))?,
            ),
            client: ClientId(
                self.client_id
                    .ok_or_else(|| corrupt("agent client", "missing"))?,
            ),
            status: self
                .status
                .parse()
                .map_err(|e| corrupt("agent status", e))?,
            approved_at: self.approved_at,
            last_seen_at: self.last_seen_at,
            maintenance: self.maintenance,
            overdue_since: self.overdue_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// An agent with the digests of its secrets.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agents, check_for_backend(Pg))]
pub(super) struct StoredRow {
    #[diesel(embed)]
    agent: AgentRow,
    registration_token_digest: Vec<u8>,
    reregistration_secret_digest: Vec<u8>,
}

fn digest(bytes: Vec<u8>) -> Result<TokenDigest, PortError> {
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|_| corrupt("secret digest", "not 32 bytes"))?;
    Ok(TokenDigest(array))
}

impl StoredRow {
    pub(super) fn into_domain(self) -> Result<StoredAgent, PortError> {
        Ok(StoredAgent {
            agent: self.agent.into_domain()?,
            secrets: AgentSecrets {
                registration_token: digest(self.registration_token_digest)?,
                reregistration_secret: digest(self.reregistration_secret_digest)?,
            },
        })
    }
}
