use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{
    Client, ClientId, ClientListQuery, ClientSummary, Scope, Site, SiteId, SiteListQuery,
    SiteSummary, TenantName,
};
use crate::PortError;
use crate::list::Page;

/// Why a client or site could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveTenantError {
    /// A sibling already has the name (without regard to case).
    #[error("the name is taken")]
    NameTaken,
    /// The store failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// What a deletion did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteOutcome {
    /// Deleted, with its sites and their enrollment tokens.
    Deleted,
    /// There was no such client or site.
    NotFound,
    /// Refused: this many live agents are still in it (move or delete them first).
    HasAgents(u64),
}

/// Where clients and sites are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TenancyRepository: Send + Sync {
    /// Stores a new client.
    async fn create_client(
        &self,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Client, SaveTenantError>;

    /// Renames a client; `None` when there is none.
    async fn rename_client(
        &self,
        id: ClientId,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Option<Client>, SaveTenantError>;

    /// Deletes a client with its sites and their enrollment tokens, unless live agents remain
    /// in it: the check and the deletion are one statement, so an agent enrolling meanwhile
    /// cannot be orphaned.
    async fn delete_client(&self, id: ClientId) -> Result<DeleteOutcome, PortError>;

    /// One client with its counts.
    async fn client(&self, id: ClientId) -> Result<Option<ClientSummary>, PortError>;

    /// One page of the clients inside `scope`, with their counts.
    async fn clients(
        &self,
        scope: &Scope,
        query: &ClientListQuery,
    ) -> Result<Page<ClientSummary>, PortError>;

    /// Stores a new site of `client`; `None` when the client is gone.
    async fn create_site(
        &self,
        client: ClientId,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Option<Site>, SaveTenantError>;

    /// Renames a site; `None` when there is none.
    async fn rename_site(
        &self,
        id: SiteId,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Option<Site>, SaveTenantError>;

    /// Deletes a site with its enrollment tokens, unless live agents remain in it (one
    /// statement, as for clients).
    async fn delete_site(&self, id: SiteId) -> Result<DeleteOutcome, PortError>;

    /// One site with its counts.
    async fn site(&self, id: SiteId) -> Result<Option<SiteSummary>, PortError>;

    /// One page of a client's sites, with their counts.
    async fn sites(
        &self,
        client: ClientId,
        query: &SiteListQuery,
    ) -> Result<Page<SiteSummary>, PortError>;

    /// The site that receives enrollment tokens made without one: the oldest (the `Default`
    /// site of the installation unless it was deleted).
    async fn default_site(&self) -> Result<Option<Site>, PortError>;
}
