//! Removing rows past their retention (the rules are the domain's `retention` module).

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::retention::{Cutoffs, Purged, Purger};

use crate::Database;
use crate::error::query_error;
use crate::schema::{auth_sessions, idempotency_keys, login_challenges, password_resets};

/// Deletes rows past the cutoffs the domain's retention rules give.
#[derive(Clone)]
pub struct PgPurger {
    db: Database,
}

impl PgPurger {
    /// Purges of `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl Purger for PgPurger {
    async fn purge(&self, cutoffs: &Cutoffs) -> Result<Purged, PortError> {
        let mut conn = self.db.conn().await?;
        let sessions = diesel::delete(
            auth_sessions::table.filter(
                auth_sessions::expires_at
                    .lt(cutoffs.sessions_expired_before)
                    .or(auth_sessions::revoked_at.lt(cutoffs.sessions_revoked_before)),
            ),
        )
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        let password_resets = diesel::delete(
            password_resets::table
                .filter(password_resets::expires_at.lt(cutoffs.resets_expired_before)),
        )
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        let mut metrics = 0;
        loop {
            let deleted = diesel::sql_query(
                "DELETE FROM agent_metrics WHERE ctid IN \
                 (SELECT ctid FROM agent_metrics WHERE minute < $1 LIMIT 20000)",
            )
            .bind::<diesel::sql_types::Timestamptz, _>(cutoffs.metrics_before)
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
            metrics += deleted;
            if deleted < 20_000 {
                break;
            }
        }
        let notifications = diesel::sql_query(
            "DELETE FROM notifications n WHERE n.created_at < $1 AND n.routed_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM notification_deliveries d \
                             WHERE d.notification_id = n.id AND d.status = 'pending')",
        )
        .bind::<diesel::sql_types::Timestamptz, _>(cutoffs.notifications_before)
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        let idempotency_keys = diesel::delete(
            idempotency_keys::table
                .filter(idempotency_keys::created_at.lt(cutoffs.idempotency_keys_before)),
        )
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        let login_challenges = diesel::delete(
            login_challenges::table
                .filter(login_challenges::expires_at.lt(cutoffs.challenges_expired_before)),
        )
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(Purged {
            login_challenges,
            sessions,
            password_resets,
            metrics,
            notifications,
            idempotency_keys,
        })
    }
}
