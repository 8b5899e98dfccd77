//! The security policy on PostgreSQL: one row, absent until an admin sets it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::auth::{SecurityPolicy, SecurityPolicyRepository};

use crate::Database;
use crate::error::query_error;
use crate::schema::security_settings;

/// The policy in PostgreSQL.
#[derive(Clone)]
pub struct PgSecurityPolicyRepository {
    db: Database,
}

impl PgSecurityPolicyRepository {
    /// The policy in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl SecurityPolicyRepository for PgSecurityPolicyRepository {
    async fn get(&self) -> Result<SecurityPolicy, PortError> {
        let mut conn = self.db.conn().await?;
        let require_two_factor: Option<bool> = security_settings::table
            .select(security_settings::require_two_factor)
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        Ok(SecurityPolicy {
            require_two_factor: require_two_factor.unwrap_or(false),
        })
    }

    async fn set(&self, policy: &SecurityPolicy, at: DateTime<Utc>) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::insert_into(security_settings::table)
            .values((
                security_settings::id.eq(true),
                security_settings::require_two_factor.eq(policy.require_two_factor),
                security_settings::updated_at.eq(at),
            ))
            .on_conflict(security_settings::id)
            .do_update()
            .set((
                security_settings::require_two_factor
                    .eq(excluded(security_settings::require_two_factor)),
                security_settings::updated_at.eq(excluded(security_settings::updated_at)),
            ))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }
}
