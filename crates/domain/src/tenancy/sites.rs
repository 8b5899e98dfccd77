use serde_json::json;

use super::service::manages;
use super::{
    ClientId, DeleteOutcome, SaveTenantError, Site, SiteId, SiteSummary, TenancyService, TenantName,
};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::list::{ListQuery, Page};

crate::sort_key! {
    /// The fields a site list can be sorted by.
    pub enum SiteSort default Name {
        /// Name, without regard to case.
        Name => "name",
        /// Creation time.
        CreatedAt => "created_at",
    }
}

/// A request for one page of a client's sites; search covers the name.
pub type SiteListQuery = ListQuery<SiteSort, ()>;

/// Why a site operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// Only admins of every client manage sites; nobody without `Read` reads them.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such site (or client), or it is outside the caller's scope.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Another site of the client has this name.
    #[error("the client has a site with this name")]
    NameTaken,
    /// Live agents remain in it.
    #[error("the site still has {0} agent(s); move or delete them first")]
    HasAgents(u64),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<SaveTenantError> for SiteError {
    fn from(error: SaveTenantError) -> Self {
        match error {
            SaveTenantError::NameTaken => Self::NameTaken,
            SaveTenantError::Port(port) => Self::Port(port),
        }
    }
}

const MANAGERS: &str = "only admins of every client may manage clients and sites";

fn require(actor: &Actor, manage: bool) -> Result<(), SiteError> {
    if manage && !manages(actor) {
        Err(SiteError::Forbidden(MANAGERS))
    } else if !actor.can(Capability::Read) {
        Err(SiteError::Forbidden("you may not read sites"))
    } else {
        Ok(())
    }
}

impl TenancyService {
    /// One page of a client's sites, if the caller may see the client.
    pub async fn list_sites(
        &self,
        actor: &Actor,
        client: ClientId,
        query: &SiteListQuery,
    ) -> Result<Page<SiteSummary>, SiteError> {
        require(actor, false)?;
        if !actor.scope().includes(client) || self.tenancy.client(client).await?.is_none() {
            return Err(SiteError::NotFound("client"));
        }
        Ok(self.tenancy.sites(client, query).await?)
    }

    /// One site, if the caller may see its client.
    pub async fn get_site(&self, actor: &Actor, id: SiteId) -> Result<SiteSummary, SiteError> {
        require(actor, false)?;
        self.tenancy
            .site(id)
            .await?
            .filter(|found| actor.scope().includes(found.site.client))
            .ok_or(SiteError::NotFound("site"))
    }

    /// Adds a site to a client (admins of every client).
    pub async fn create_site(
        &self,
        actor: &Actor,
        client: ClientId,
        name: TenantName,
    ) -> Result<Site, SiteError> {
        require(actor, true)?;
        let site = self
            .tenancy
            .create_site(client, &name, self.clock.now())
            .await?
            .ok_or(SiteError::NotFound("client"))?;
        tracing::info!(site = %site.id, client = %client, by = %actor.id(), "site created");
        let record = AuditRecord::by(actor, "site.create")
            .target("site", site.id)
            .details(json!({ "name": site.name.as_str(), "client_id": client.0 }));
        self.audit.record(record).await;
        Ok(site)
    }

    /// Renames a site (admins of every client).
    pub async fn rename_site(
        &self,
        actor: &Actor,
        id: SiteId,
        name: TenantName,
    ) -> Result<Site, SiteError> {
        require(actor, true)?;
        let site = self
            .tenancy
            .rename_site(id, &name, self.clock.now())
            .await?
            .ok_or(SiteError::NotFound("site"))?;
        let record = AuditRecord::by(actor, "site.update")
            .target("site", id)
            .details(json!({ "name": site.name.as_str() }));
        self.audit.record(record).await;
        Ok(site)
    }

    /// Deletes a site with its enrollment tokens (admins of every client); refused while it
    /// has agents.
    pub async fn delete_site(&self, actor: &Actor, id: SiteId) -> Result<(), SiteError> {
        require(actor, true)?;
        match self.tenancy.delete_site(id).await? {
            DeleteOutcome::Deleted => {}
            DeleteOutcome::NotFound => return Err(SiteError::NotFound("site")),
            DeleteOutcome::HasAgents(count) => return Err(SiteError::HasAgents(count)),
        }
        tracing::info!(site = %id, by = %actor.id(), "site deleted");
        let record = AuditRecord::by(actor, "site.delete").target("site", id);
        self.audit.record(record).await;
        Ok(())
    }
}
