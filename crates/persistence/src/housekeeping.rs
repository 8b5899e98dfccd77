use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;

use crate::Database;
use crate::error::query_error;
use crate::schema::{auth_sessions, idempotency_keys, password_resets};

/// Revoked sessions are kept this long (for audit and for a clear `TOKEN_REVOKED`), expired
/// ones a day; after that their tokens cannot pass verification anyway.
const KEEP_REVOKED: TimeDelta = TimeDelta::days(7);
const KEEP_EXPIRED: TimeDelta = TimeDelta::days(1);
/// Delivered or dead notifications stay in the outbox this long.
const KEEP_NOTIFICATIONS: TimeDelta = TimeDelta::days(30);

/// How many rows a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Sessions.
    pub sessions: usize,
    /// Password-reset tokens.
    pub password_resets: usize,
    /// Metric samples past their retention.
    pub metrics: usize,
    /// Notifications done with (nothing pending) and older than 30 days.
    pub notifications: usize,
    /// Idempotency keys past their 24 hours.
    pub idempotency_keys: usize,
}

/// Deletes rows that can no longer matter, so tables stay small over years of sign-ins.
#[derive(Clone)]
pub struct Housekeeping {
    db: Database,
}

impl Housekeeping {
    /// Housekeeping of `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// Removes sessions expired a day ago or revoked a week ago, reset tokens expired a day
    /// ago, and metric samples older than `metrics_retention` (in slices, so no statement runs
    /// long).
    pub async fn purge(
        &self,
        now: DateTime<Utc>,
        metrics_retention: TimeDelta,
    ) -> Result<Purged, PortError> {
        let mut conn = self.db.conn().await?;
        let sessions = diesel::delete(
            auth_sessions::table.filter(
                auth_sessions::expires_at
                    .lt(now - KEEP_EXPIRED)
                    .or(auth_sessions::revoked_at.lt(now - KEEP_REVOKED)),
            ),
        )
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        let password_resets = diesel::delete(
            password_resets::table.filter(password_resets::expires_at.lt(now - KEEP_EXPIRED)),
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
            .bind::<diesel::sql_types::Timestamptz, _>(now - metrics_retention)
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
        .bind::<diesel::sql_types::Timestamptz, _>(now - KEEP_NOTIFICATIONS)
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        let idempotency_keys =
            diesel::delete(idempotency_keys::table.filter(
                idempotency_keys::created_at.lt(now - slimrmm_domain::idempotency::RETENTION),
            ))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(Purged {
            sessions,
            password_resets,
            metrics,
            notifications,
            idempotency_keys,
        })
    }
}
