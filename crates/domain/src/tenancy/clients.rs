use serde_json::json;

use super::service::manages;
use super::{
    Client, ClientId, ClientSummary, DeleteOutcome, SaveTenantError, TenancyService, TenantName,
};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::list::{ListQuery, Page};

crate::sort_key! {
    /// The fields a client list can be sorted by.
    pub enum ClientSort default Name {
        /// Name, without regard to case.
        Name => "name",
        /// Creation time.
        CreatedAt => "created_at",
    }
}

/// A request for one page of clients; search covers the name (anywhere, any case).
pub type ClientListQuery = ListQuery<ClientSort, ()>;

/// Why a client operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Only admins of every client manage clients; nobody without `Read` reads them.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such client, or it is outside the caller's scope.
    #[error("client not found")]
    NotFound,
    /// Another client has this name.
    #[error("a client with this name exists")]
    NameTaken,
    /// Live agents remain in it.
    #[error("the client still has {0} agent(s); move or delete them first")]
    HasAgents(u64),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<SaveTenantError> for ClientError {
    fn from(error: SaveTenantError) -> Self {
        match error {
            SaveTenantError::NameTaken => Self::NameTaken,
            SaveTenantError::Port(port) => Self::Port(port),
        }
    }
}

const MANAGERS: &str = "only admins of every client may manage clients and sites";

fn require_manager(actor: &Actor) -> Result<(), ClientError> {
    if manages(actor) {
        Ok(())
    } else {
        Err(ClientError::Forbidden(MANAGERS))
    }
}

impl TenancyService {
    /// One page of the clients the caller may see, with their counts.
    pub async fn list_clients(
        &self,
        actor: &Actor,
        query: &ClientListQuery,
    ) -> Result<Page<ClientSummary>, ClientError> {
        if !actor.can(Capability::Read) {
            return Err(ClientError::Forbidden("you may not read clients"));
        }
        Ok(self.tenancy.clients(actor.scope(), query).await?)
    }

    /// One client, if the caller may see it.
    pub async fn get_client(
        &self,
        actor: &Actor,
        id: ClientId,
    ) -> Result<ClientSummary, ClientError> {
        if !actor.can(Capability::Read) {
            return Err(ClientError::Forbidden("you may not read clients"));
        }
        if !actor.scope().includes(id) {
            return Err(ClientError::NotFound);
        }
        self.tenancy.client(id).await?.ok_or(ClientError::NotFound)
    }

    /// Adds a client (admins of every client).
    pub async fn create_client(
        &self,
        actor: &Actor,
        name: TenantName,
    ) -> Result<Client, ClientError> {
        require_manager(actor)?;
        let client = self.tenancy.create_client(&name, self.clock.now()).await?;
        tracing::info!(client = %client.id, by = %actor.id(), "client created");
        let record = AuditRecord::by(actor, "client.create")
            .target("client", client.id)
            .details(json!({ "name": client.name.as_str() }));
        self.audit.record(record).await;
        Ok(client)
    }

    /// Renames a client (admins of every client).
    pub async fn rename_client(
        &self,
        actor: &Actor,
        id: ClientId,
        name: TenantName,
    ) -> Result<Client, ClientError> {
        require_manager(actor)?;
        let client = self
            .tenancy
            .rename_client(id, &name, self.clock.now())
            .await?
            .ok_or(ClientError::NotFound)?;
        let record = AuditRecord::by(actor, "client.update")
            .target("client", id)
            .details(json!({ "name": client.name.as_str() }));
        self.audit.record(record).await;
        Ok(client)
    }

    /// Deletes a client with its sites and their enrollment tokens (admins of every client);
    /// refused while it has agents.
    pub async fn delete_client(&self, actor: &Actor, id: ClientId) -> Result<(), ClientError> {
        require_manager(actor)?;
        match self.tenancy.delete_client(id).await? {
            DeleteOutcome::Deleted => {}
            DeleteOutcome::NotFound => return Err(ClientError::NotFound),
            DeleteOutcome::HasAgents(count) => return Err(ClientError::HasAgents(count)),
        }
        tracing::info!(client = %id, by = %actor.id(), "client deleted");
        let record = AuditRecord::by(actor, "client.delete").target("client", id);
        self.audit.record(record).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::MockClock;
    use crate::fixtures::{RecordingAudit, actor, scoped_actor, t0};
    use crate::tenancy::MockTenancyRepository;
    use crate::user::Role;

    fn service(tenancy: MockTenancyRepository, audit: &RecordingAudit) -> TenancyService {
        TenancyService::new(
            Arc::new(tenancy),
            audit.service(),
            Arc::new(MockClock::fixed(t0())),
        )
    }

    #[tokio::test]
    async fn a_client_outside_the_scope_is_not_found_without_a_lookup() {
        let mut tenancy = MockTenancyRepository::new();
        tenancy.expect_client().never();
        let found = service(tenancy, &RecordingAudit::default())
            .get_client(&scoped_actor(1, Role::Admin, &[1]), ClientId(2))
            .await;
        assert!(matches!(found, Err(ClientError::NotFound)));
    }

    #[tokio::test]
    async fn only_admins_of_every_client_manage_clients_and_deletions_keep_agents() {
        let mut tenancy = MockTenancyRepository::new();
        tenancy
            .expect_delete_client()
            .returning(|_| Ok(DeleteOutcome::HasAgents(3)));
        let audit = RecordingAudit::default();
        let service = service(tenancy, &audit);
        let name = TenantName::parse("Acme").unwrap();
        let scoped = service
            .create_client(&scoped_actor(1, Role::Admin, &[1]), name)
            .await;
        assert!(matches!(scoped, Err(ClientError::Forbidden(_))));
        let kept = service
            .delete_client(&actor(1, Role::Admin), ClientId(1))
            .await;
        assert!(matches!(kept, Err(ClientError::HasAgents(3))));
        assert!(
            audit.records().is_empty(),
            "nothing happened, nothing is recorded"
        );
    }
}
