//! `AgentRepository` on PostgreSQL. Deleted agents stay as rows (their uuid is never reused or
//! accepted again) but are invisible to every method.

mod certificates;
mod list;
mod row;
mod search;
mod select;
mod write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{
    Agent, AgentFacts, AgentId, AgentLabelChanges, AgentListQuery, AgentRepository, AgentSecrets,
    AgentSelector, AgentStatus, EnrollAgentError, NewAgent, StoredAgent, Target,
};
use slimrmm_domain::enrollment::{CertificateRecord, CertificateSerial};
use slimrmm_domain::list::Page;
use slimrmm_domain::tenancy::{ClientId, Scope, SiteId};
use slimrmm_domain::user::UserId;

use crate::Database;
use crate::error::query_error;
use crate::schema::agents;
use row::StoredRow;

/// Agents and their certificates in PostgreSQL.
#[derive(Clone)]
pub struct PgAgentRepository {
    db: Database,
}

impl PgAgentRepository {
    /// Agents stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AgentRepository for PgAgentRepository {
    async fn enroll(
        &self,
        agent: &NewAgent,
        certificate: Option<CertificateRecord>,
        now: DateTime<Utc>,
    ) -> Result<Agent, EnrollAgentError> {
        write::enroll(&self.db, agent, certificate, now).await
    }

    async fn find(&self, id: AgentId) -> Result<Option<StoredAgent>, PortError> {
        let mut conn = self.db.conn().await?;
        agents::table
            .filter(agents::uuid.eq(id.0).and(agents::deleted_at.is_null()))
            .select(StoredRow::as_select())
            .first::<StoredRow>(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(StoredRow::into_domain)
            .transpose()
    }

    async fn reinstall(
        &self,
        id: AgentId,
        facts: &AgentFacts,
        secrets: &AgentSecrets,
        certificate: Option<CertificateRecord>,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError> {
        write::reinstall(&self.db, id, facts, secrets, certificate, now).await
    }

    async fn list(&self, scope: &Scope, query: &AgentListQuery) -> Result<Page<Agent>, PortError> {
        list::list(&self.db, scope, query).await
    }

    async fn select(
        &self,
        scope: &Scope,
        selector: &AgentSelector,
    ) -> Result<Vec<Target>, PortError> {
        select::select(&self.db, scope, selector).await
    }

    async fn ids_of(&self, clients: &[ClientId]) -> Result<Vec<AgentId>, PortError> {
        let mut conn = self.db.conn().await?;
        let ids: Vec<i64> = clients.iter().map(|client| client.0).collect();
        let uuids: Vec<uuid::Uuid> = agents::table
            .filter(agents::deleted_at.is_null())
            .filter(agents::client_id.eq_any(ids))
            .select(agents::uuid)
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(uuids.into_iter().map(AgentId).collect())
    }

    async fn move_to(
        &self,
        id: AgentId,
        from: ClientId,
        site: SiteId,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError> {
        write::move_to(&self.db, id, from, site, now).await
    }

    async fn transition(
        &self,
        id: AgentId,
        from: AgentStatus,
        to: AgentStatus,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError> {
        write::transition(&self.db, id, from, to, by, now).await
    }

    async fn update_labels(
        &self,
        id: AgentId,
        changes: &AgentLabelChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError> {
        write::update_labels(&self.db, id, changes, now).await
    }

    async fn delete(&self, id: AgentId, now: DateTime<Utc>) -> Result<bool, PortError> {
        write::delete(&self.db, id, now).await
    }

    async fn add_certificate(&self, record: &CertificateRecord) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        certificates::insert(&mut conn, record)
            .await
            .map_err(query_error)
    }

    async fn add_renewed_certificate(
        &self,
        record: &CertificateRecord,
        presented: &CertificateSerial,
    ) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        certificates::insert_renewal(&mut conn, record, presented)
            .await
            .map_err(query_error)
    }

    async fn certificate(
        &self,
        serial: &CertificateSerial,
    ) -> Result<Option<CertificateRecord>, PortError> {
        let mut conn = self.db.conn().await?;
        certificates::by_serial(&mut conn, serial).await
    }

    async fn latest_certificate(
        &self,
        id: AgentId,
    ) -> Result<Option<CertificateRecord>, PortError> {
        let mut conn = self.db.conn().await?;
        certificates::latest(&mut conn, id).await
    }
}
