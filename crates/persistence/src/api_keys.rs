//! `ApiKeyRepository` on PostgreSQL.

use std::net::IpAddr;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::apikey::{
    ApiKey, ApiKeyId, ApiKeyRepository, KeyName, KeyWithOwner, NewApiKey,
};
use slimrmm_domain::auth::TokenDigest;
use slimrmm_domain::tenancy::{ClientId, Scope};
use slimrmm_domain::user::UserId;

use crate::Database;
use crate::error::{corrupt, query_error};
use crate::schema::{api_keys, users};
use crate::users::UserRow;

/// API keys in PostgreSQL.
#[derive(Clone)]
pub struct PgApiKeyRepository {
    db: Database,
}

impl PgApiKeyRepository {
    /// Keys stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(Pg))]
struct KeyRow {
    id: i64,
    user_id: i64,
    name: String,
    prefix: String,
    role: String,
    client_ids: Option<Vec<i64>>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    last_used_ip: Option<String>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl KeyRow {
    fn into_domain(self) -> Result<ApiKey, PortError> {
        Ok(ApiKey {
            id: ApiKeyId(self.id),
            owner: UserId(self.user_id),
            name: KeyName::parse(&self.name).map_err(|e| corrupt("API key name", e))?,
            prefix: self.prefix,
            role: self.role.parse().map_err(|e| corrupt("API key role", e))?,
            scope: self
                .client_ids
                .map(|ids| Scope::clients(ids.into_iter().map(ClientId))),
            expires_at: self.expires_at,
            last_used_at: self.last_used_at,
            last_used_from: self.last_used_ip.and_then(|ip| ip.parse().ok()),
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            revoked_at: self.revoked_at,
        })
    }
}

#[async_trait]
impl ApiKeyRepository for PgApiKeyRepository {
    async fn create(&self, key: &NewApiKey, now: DateTime<Utc>) -> Result<ApiKey, PortError> {
        let mut conn = self.db.conn().await?;
        let row: KeyRow = diesel::insert_into(api_keys::table)
            .values((
                api_keys::user_id.eq(key.owner.0),
                api_keys::name.eq(key.name.as_str()),
                api_keys::prefix.eq(&key.prefix),
                api_keys::digest.eq(key.digest.0.as_slice()),
                api_keys::role.eq(key.role.as_str()),
                api_keys::client_ids.eq(key.scope.as_ref().and_then(Scope::ids)),
                api_keys::expires_at.eq(key.expires_at),
                api_keys::created_by.eq(key.created_by.0),
                api_keys::created_at.eq(now),
            ))
            .returning(KeyRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(query_error)?;
        row.into_domain()
    }

    async fn list(&self, owner: UserId) -> Result<Vec<ApiKey>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<KeyRow> = api_keys::table
            .filter(api_keys::user_id.eq(owner.0))
            .order((api_keys::created_at.desc(), api_keys::id.desc()))
            .select(KeyRow::as_select())
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        rows.into_iter().map(KeyRow::into_domain).collect()
    }

    async fn find(&self, id: ApiKeyId) -> Result<Option<ApiKey>, PortError> {
        let mut conn = self.db.conn().await?;
        let row: Option<KeyRow> = api_keys::table
            .find(id.0)
            .select(KeyRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        row.map(KeyRow::into_domain).transpose()
    }

    async fn find_by_digest(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<KeyWithOwner>, PortError> {
        let mut conn = self.db.conn().await?;
        let row: Option<(KeyRow, UserRow)> = api_keys::table
            .inner_join(users::table)
            .filter(api_keys::digest.eq(digest.0.as_slice()))
            .select((KeyRow::as_select(), UserRow::as_select()))
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        row.map(|(key, owner)| {
            Ok(KeyWithOwner {
                key: key.into_domain()?,
                owner: owner.into_domain()?,
            })
        })
        .transpose()
    }

    async fn revoke(&self, id: ApiKeyId, now: DateTime<Utc>) -> Result<Option<ApiKey>, PortError> {
        let mut conn = self.db.conn().await?;
        diesel::update(
            api_keys::table
                .find(id.0)
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(now))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        drop(conn);
        self.find(id).await
    }

    async fn touch(
        &self,
        id: ApiKeyId,
        from: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let stale = now - Duration::minutes(1);
        diesel::update(
            api_keys::table.find(id.0).filter(
                api_keys::last_used_at
                    .is_null()
                    .or(api_keys::last_used_at.lt(stale)),
            ),
        )
        .set((
            api_keys::last_used_at.eq(now),
            api_keys::last_used_ip.eq(from.map(|ip| ip.to_string())),
        ))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(())
    }
}
