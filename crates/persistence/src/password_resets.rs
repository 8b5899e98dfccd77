//! `PasswordResetRepository` on PostgreSQL.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::auth::{
    NewPasswordReset, PasswordResetRepository, RevocationReason, TokenDigest,
};
use slimrmm_domain::notification::Notification;
use slimrmm_domain::sealer::SecretSealer;
use slimrmm_domain::user::{PasswordHash, UserId};

use crate::Database;
use crate::error::query_error;
use crate::outbox::enqueue;
use crate::schema::{auth_sessions, password_resets, users};

/// Password-reset tokens (their digests) in PostgreSQL; the mail with the token goes to the
/// outbox sealed.
#[derive(Clone)]
pub struct PgPasswordResetRepository {
    db: Database,
    sealer: Arc<dyn SecretSealer>,
}

impl PgPasswordResetRepository {
    /// Reset tokens stored in `db`; `sealer` seals the token in the outbox.
    pub fn new(db: Database, sealer: Arc<dyn SecretSealer>) -> Self {
        Self { db, sealer }
    }
}

/// Unused, unexpired tokens of active users.
macro_rules! valid_resets {
    ($digest:expr, $now:expr) => {
        password_resets::table.inner_join(users::table).filter(
            password_resets::token_digest
                .eq($digest.0.as_slice())
                .and(password_resets::used_at.is_null())
                .and(password_resets::expires_at.gt($now))
                .and(users::is_active),
        )
    };
}

#[async_trait]
impl PasswordResetRepository for PgPasswordResetRepository {
    async fn create(
        &self,
        reset: &NewPasswordReset,
        notification: &Notification,
    ) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let sealer = self.sealer.as_ref();
        conn.transaction(async |conn| {
            diesel::delete(
                password_resets::table.filter(
                    password_resets::user_id
                        .eq(reset.user_id.0)
                        .and(password_resets::used_at.is_null()),
                ),
            )
            .execute(conn)
            .await?;
            diesel::insert_into(password_resets::table)
                .values((
                    password_resets::user_id.eq(reset.user_id.0),
                    password_resets::token_digest.eq(reset.digest.0.as_slice()),
                    password_resets::created_at.eq(reset.created_at),
                    password_resets::expires_at.eq(reset.expires_at),
                ))
                .execute(conn)
                .await?;
            enqueue(conn, std::slice::from_ref(notification), Some(sealer)).await
        })
        .await
        .map_err(query_error)
    }

    async fn find_valid(
        &self,
        digest: &TokenDigest,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, PortError> {
        let mut conn = self.db.conn().await?;
        let user: Option<i64> = valid_resets!(digest, now)
            .select(password_resets::user_id)
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        Ok(user.map(UserId))
    }

    async fn complete(
        &self,
        digest: &TokenDigest,
        password_hash: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, PortError> {
        let mut conn = self.db.conn().await?;
        conn.transaction(async |conn| {
            let found: Option<(i64, i64)> = valid_resets!(digest, now)
                .select((password_resets::id, password_resets::user_id))
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some((reset_id, user_id)) = found else {
                return Ok(None);
            };
            diesel::update(password_resets::table.find(reset_id))
                .set(password_resets::used_at.eq(now))
                .execute(conn)
                .await?;
            diesel::update(users::table.find(user_id))
                .set((
                    users::password_hash.eq(password_hash.as_str()),
                    users::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
            diesel::update(
                auth_sessions::table.filter(
                    auth_sessions::user_id
                        .eq(user_id)
                        .and(auth_sessions::revoked_at.is_null()),
                ),
            )
            .set((
                auth_sessions::revoked_at.eq(now),
                auth_sessions::revoked_reason.eq(RevocationReason::PasswordChanged.as_str()),
            ))
            .execute(conn)
            .await?;
            Ok(Some(UserId(user_id)))
        })
        .await
        .map_err(query_error)
    }
}
