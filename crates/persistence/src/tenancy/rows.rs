use chrono::{DateTime, Utc};
use diesel::prelude::*;
use slimrmm_domain::PortError;
use slimrmm_domain::tenancy::{Client, ClientId, Site, SiteId, TenantName};

use crate::error::corrupt;
use crate::schema::{clients, sites};

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = clients, check_for_backend(diesel::pg::Pg))]
pub(super) struct ClientRow {
    id: i64,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ClientRow {
    pub(super) fn into_domain(self) -> Result<Client, PortError> {
        Ok(Client {
            id: ClientId(self.id),
            name: TenantName::parse(&self.name).map_err(|e| corrupt("client name", e))?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sites, check_for_backend(diesel::pg::Pg))]
pub(super) struct SiteRow {
    id: i64,
    client_id: i64,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl SiteRow {
    pub(super) fn into_domain(self) -> Result<Site, PortError> {
        Ok(Site {
            id: SiteId(self.id),
            client: ClientId(self.client_id),
            name: TenantName::parse(&self.name).map_err(|e| corrupt("site name", e))?,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}
