//! `TenancyRepository` on PostgreSQL: clients, their sites and their agents' counts.

mod counts;
mod delete;
mod rows;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::tenancy::{
    Client, ClientId, ClientListQuery, ClientSort, ClientSummary, DeleteOutcome, SaveTenantError,
    Scope, Site, SiteId, SiteListQuery, SiteSort, SiteSummary, TenancyRepository, TenantName,
};

use rows::{ClientRow, SiteRow};

use crate::Database;
use crate::error::{query_error, violated_foreign_key, violated_unique_index};
use crate::schema::{clients, sites};
use crate::sql::{contains_pattern, load_page, lower, sorted};

/// Clients and sites in PostgreSQL.
#[derive(Clone)]
pub struct PgTenancyRepository {
    db: Database,
}

impl PgTenancyRepository {
    /// Clients and sites stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn save_error(error: diesel::result::Error) -> SaveTenantError {
    match violated_unique_index(&error) {
        Some("clients_name_key" | "sites_name_key") => SaveTenantError::NameTaken,
        _ => SaveTenantError::Port(query_error(error)),
    }
}

#[async_trait]
impl TenancyRepository for PgTenancyRepository {
    async fn create_client(
        &self,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Client, SaveTenantError> {
        let mut conn = self.db.conn().await?;
        let row: ClientRow = diesel::insert_into(clients::table)
            .values((
                clients::name.eq(name.as_str()),
                clients::created_at.eq(now),
                clients::updated_at.eq(now),
            ))
            .returning(ClientRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(save_error)?;
        Ok(row.into_domain()?)
    }

    async fn rename_client(
        &self,
        id: ClientId,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Option<Client>, SaveTenantError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ClientRow> = diesel::update(clients::table.find(id.0))
            .set((clients::name.eq(name.as_str()), clients::updated_at.eq(now)))
            .returning(ClientRow::as_returning())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(save_error)?;
        Ok(row.map(ClientRow::into_domain).transpose()?)
    }

    async fn delete_client(&self, id: ClientId) -> Result<DeleteOutcome, PortError> {
        delete::delete(&self.db, delete::Level::Client, id.0).await
    }

    async fn client(&self, id: ClientId) -> Result<Option<ClientSummary>, PortError> {
        let mut conn = self.db.conn().await?;
        let row: Option<ClientRow> = clients::table
            .find(id.0)
            .select(ClientRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        let Some(row) = row else { return Ok(None) };
        let mut summaries = counts::clients(&mut conn, vec![row.into_domain()?]).await?;
        Ok(summaries.pop())
    }

    async fn clients(
        &self,
        scope: &Scope,
        query: &ClientListQuery,
    ) -> Result<Page<ClientSummary>, PortError> {
        let mut conn = self.db.conn().await?;
        let filtered = || {
            let mut selection = clients::table.into_boxed();
            if let Some(ids) = scope.ids() {
                selection = selection.filter(clients::id.eq_any(ids));
            }
            if let Some(term) = &query.search {
                selection = selection.filter(clients::name.ilike(contains_pattern(term.as_str())));
            }
            selection
        };
        let ordered = match query.sort_by {
            ClientSort::Name => sorted!(
                filtered(),
                query.sort_order,
                lower(clients::name.nullable()),
                clients::id
            ),
            ClientSort::CreatedAt => sorted!(
                filtered(),
                query.sort_order,
                clients::created_at,
                clients::id
            ),
        }
        .select(ClientRow::as_select());
        let Page {
            items,
            total,
            request,
        } = load_page(&mut conn, query.page, filtered().count(), ordered)
            .await?
            .try_map(ClientRow::into_domain)?;
        Ok(Page {
            items: counts::clients(&mut conn, items).await?,
            total,
            request,
        })
    }

    async fn create_site(
        &self,
        client: ClientId,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Option<Site>, SaveTenantError> {
        let mut conn = self.db.conn().await?;
        let row: Result<SiteRow, _> = diesel::insert_into(sites::table)
            .values((
                sites::client_id.eq(client.0),
                sites::name.eq(name.as_str()),
                sites::created_at.eq(now),
                sites::updated_at.eq(now),
            ))
            .returning(SiteRow::as_returning())
            .get_result(&mut conn)
            .await;
        match row {
            Ok(row) => Ok(Some(row.into_domain()?)),
            Err(error) if violated_foreign_key(&error) == Some("sites_client_id_fkey") => Ok(None),
            Err(error) => Err(save_error(error)),
        }
    }

    async fn rename_site(
        &self,
        id: SiteId,
        name: &TenantName,
        now: DateTime<Utc>,
    ) -> Result<Option<Site>, SaveTenantError> {
        let mut conn = self.db.conn().await?;
        let row: Option<SiteRow> = diesel::update(sites::table.find(id.0))
            .set((sites::name.eq(name.as_str()), sites::updated_at.eq(now)))
            .returning(SiteRow::as_returning())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(save_error)?;
        Ok(row.map(SiteRow::into_domain).transpose()?)
    }

    async fn delete_site(&self, id: SiteId) -> Result<DeleteOutcome, PortError> {
        delete::delete(&self.db, delete::Level::Site, id.0).await
    }

    async fn site(&self, id: SiteId) -> Result<Option<SiteSummary>, PortError> {
        let mut conn = self.db.conn().await?;
        let row: Option<SiteRow> = sites::table
            .find(id.0)
            .select(SiteRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        let Some(row) = row else { return Ok(None) };
        let mut summaries = counts::sites(&mut conn, vec![row.into_domain()?]).await?;
        Ok(summaries.pop())
    }

    async fn sites(
        &self,
        client: ClientId,
        query: &SiteListQuery,
    ) -> Result<Page<SiteSummary>, PortError> {
        let mut conn = self.db.conn().await?;
        let filtered = || {
            let mut selection = sites::table
                .filter(sites::client_id.eq(client.0))
                .into_boxed();
            if let Some(term) = &query.search {
                selection = selection.filter(sites::name.ilike(contains_pattern(term.as_str())));
            }
            selection
        };
        let ordered = match query.sort_by {
            SiteSort::Name => sorted!(
                filtered(),
                query.sort_order,
                lower(sites::name.nullable()),
                sites::id
            ),
            SiteSort::CreatedAt => {
                sorted!(filtered(), query.sort_order, sites::created_at, sites::id)
            }
        }
        .select(SiteRow::as_select());
        let Page {
            items,
            total,
            request,
        } = load_page(&mut conn, query.page, filtered().count(), ordered)
            .await?
            .try_map(SiteRow::into_domain)?;
        Ok(Page {
            items: counts::sites(&mut conn, items).await?,
            total,
            request,
        })
    }

    async fn default_site(&self) -> Result<Option<Site>, PortError> {
        let mut conn = self.db.conn().await?;
        let row: Option<SiteRow> = sites::table
            .order(sites::id.asc())
            .select(SiteRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        row.map(SiteRow::into_domain).transpose()
    }
}
