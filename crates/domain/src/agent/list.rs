use std::collections::HashSet;

use super::{Agent, AgentId, AgentOs, AgentService, AgentStatus, Tag};
use crate::PortError;
use crate::auth::{Actor, Capability};
use crate::list::{ListQuery, Page};
use crate::tenancy::{ClientId, SiteId};

crate::sort_key! {
    /// The fields an agent list can be sorted by.
    pub enum AgentSort default Hostname {
        /// Host name, without regard to case.
        Hostname => "hostname",
        /// Status.
        Status => "status",
        /// Operating system.
        Os => "os",
        /// Agent version.
        AgentVersion => "agent_version",
        /// Last contact (never seen sorts last).
        LastSeenAt => "last_seen_at",
        /// Registration time.
        CreatedAt => "created_at",
    }
}

/// Filters of the agent list. Search covers host name and serial number (anywhere in them) and
/// the external IP and uuid (from their start), without regard to case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentFilter {
    /// Only agents in this status.
    pub status: Option<AgentStatus>,
    /// Only agents on this operating system.
    pub os: Option<AgentOs>,
    /// Only agents with this tag.
    pub tag: Option<Tag>,
    /// Only agents of this client.
    pub client: Option<ClientId>,
    /// Only agents of this site.
    pub site: Option<SiteId>,
}

/// A request for one page of agents.
pub type AgentListQuery = ListQuery<AgentSort, AgentFilter>;

/// Why the agent list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListAgentsError {
    /// The caller may not read agents.
    #[error("you may not list agents")]
    Forbidden,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AgentService {
    /// The agents `actor` may see, for filtering a stream of events: `None` when they see
    /// every agent (a user of every client), else the live agents of their clients as they are
    /// now (callers refresh it now and then to follow enrollments and moves).
    pub async fn visible_agents(
        &self,
        actor: &Actor,
    ) -> Result<Option<HashSet<AgentId>>, ListAgentsError> {
        if !actor.can(Capability::Read) {
            return Err(ListAgentsError::Forbidden);
        }
        match actor.scope().restriction() {
            None => Ok(None),
            Some(clients) => Ok(Some(
                self.agents.ids_of(&clients).await?.into_iter().collect(),
            )),
        }
    }

    /// One page of agents (every role may read).
    pub async fn list(
        &self,
        actor: &Actor,
        query: &AgentListQuery,
    ) -> Result<Page<Agent>, ListAgentsError> {
        if !actor.can(Capability::Read) {
            return Err(ListAgentsError::Forbidden);
        }
        Ok(self.agents.list(actor.scope(), query).await?)
    }
}
