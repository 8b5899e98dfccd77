//! The outbox on PostgreSQL: notifications written by other repositories inside their
//! transactions ([`enqueue`]), routed and delivered through [`PgOutboxRepository`]. Claims use
//! `FOR UPDATE SKIP LOCKED` and a lease, so two workers never hold the same delivery and a
//! worker that dies releases what it held.

mod enqueue;
mod list;
mod payload;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bytea, Int4, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::notification::{
    Channel, Delivery, DeliveryId, NotificationId, OutboxEntry, OutboxListQuery, OutboxRepository,
    Unrouted,
};
use slimrmm_domain::sealer::SecretSealer;

use crate::Database;
use crate::error::query_error;
pub(crate) use enqueue::enqueue;
use payload::from_stored;

/// The outbox in PostgreSQL.
#[derive(Clone)]
pub struct PgOutboxRepository {
    db: Database,
    sealer: Arc<dyn SecretSealer>,
}

impl PgOutboxRepository {
    /// The outbox in `db`; `sealer` opens sealed tokens.
    pub fn new(db: Database, sealer: Arc<dyn SecretSealer>) -> Self {
        Self { db, sealer }
    }
}

#[derive(QueryableByName)]
struct StoredRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Nullable<Bytea>)]
    secret: Option<Vec<u8>>,
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    channel: String,
    #[diesel(sql_type = Int4)]
    attempts: i32,
    #[diesel(sql_type = Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = Nullable<Bytea>)]
    secret: Option<Vec<u8>>,
}

/// Wipes the sealed secrets of notifications none of whose deliveries is still pending.
const WIPE_SECRETS: &str = "UPDATE notifications n SET secret = NULL \
     WHERE n.secret IS NOT NULL \
       AND n.id IN (SELECT notification_id FROM notification_deliveries WHERE id = ANY($1)) \
       AND NOT EXISTS (SELECT 1 FROM notification_deliveries d \
                       WHERE d.notification_id = n.id AND d.status = 'pending')";

#[async_trait]
impl OutboxRepository for PgOutboxRepository {
    async fn unrouted(&self, limit: u32) -> Result<Vec<Unrouted>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<StoredRow> = diesel::sql_query(
            "SELECT id, payload, secret FROM notifications WHERE routed_at IS NULL \
             ORDER BY id LIMIT $1",
        )
        .bind::<BigInt, _>(i64::from(limit))
        .load(&mut conn)
        .await
        .map_err(query_error)?;
        let mut unrouted = Vec::with_capacity(rows.len());
        for row in rows {
            match from_stored(row.payload, row.secret.as_deref(), self.sealer.as_ref()) {
                Ok(notification) => unrouted.push(Unrouted {
                    id: NotificationId(row.id),
                    notification,
                }),
                Err(error) => {
                    // Routed nowhere rather than blocking the outbox.
                    tracing::error!(notification = row.id, error = %error, "unreadable notification skipped");
                    self.route(NotificationId(row.id), &[], Utc::now()).await?;
                }
            }
        }
        Ok(unrouted)
    }

    async fn route(
        &self,
        id: NotificationId,
        channels: &[Channel],
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let names: Vec<&str> = channels.iter().map(|channel| channel.as_str()).collect();
        conn.transaction(async |conn| {
            let routed = diesel::sql_query(
                "UPDATE notifications SET routed_at = $2, \
                     secret = CASE WHEN cardinality($3::text[]) = 0 THEN NULL ELSE secret END \
                 WHERE id = $1 AND routed_at IS NULL",
            )
            .bind::<BigInt, _>(id.0)
            .bind::<Timestamptz, _>(now)
            .bind::<Array<Text>, _>(&names)
            .execute(conn)
            .await?;
            if routed == 0 {
                return diesel::QueryResult::Ok(false);
            }
            diesel::sql_query(
                "INSERT INTO notification_deliveries (notification_id, channel, status, next_attempt_at) \
                 SELECT $1, channel, 'pending', $2 FROM unnest($3::text[]) AS channel",
            )
            .bind::<BigInt, _>(id.0)
            .bind::<Timestamptz, _>(now)
            .bind::<Array<Text>, _>(&names)
            .execute(conn)
            .await?;
            Ok(true)
        })
        .await
        .map_err(query_error)
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        limit: u32,
    ) -> Result<Vec<Delivery>, PortError> {
        let mut conn = self.db.conn().await?;
        let rows: Vec<ClaimedRow> = diesel::sql_query(
            "UPDATE notification_deliveries d SET locked_until = $2 \
             FROM notifications n \
             WHERE n.id = d.notification_id AND d.id IN (\
                 SELECT id FROM notification_deliveries \
                 WHERE status = 'pending' AND next_attempt_at <= $1 \
                   AND (locked_until IS NULL OR locked_until <= $1) \
                 ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING d.id, d.channel, d.attempts, n.payload, n.secret",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(now + lease)
        .bind::<BigInt, _>(i64::from(limit))
        .load(&mut conn)
        .await
        .map_err(query_error)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let parsed = row
                .channel
                .parse::<Channel>()
                .map_err(|e| crate::error::corrupt("channel", e))
                .and_then(|channel| {
                    from_stored(row.payload, row.secret.as_deref(), self.sealer.as_ref())
                        .map(|notification| (channel, notification))
                });
            match parsed {
                Ok((channel, notification)) => claimed.push(Delivery {
                    id: DeliveryId(row.id),
                    channel,
                    attempts: row.attempts.unsigned_abs(),
                    notification,
                }),
                Err(error) => {
                    tracing::error!(delivery = row.id, error = %error, "unreadable delivery given up on");
                    self.failed(&[DeliveryId(row.id)], &error.to_string(), None, now)
                        .await?;
                }
            }
        }
        Ok(claimed)
    }

    async fn sent(&self, ids: &[DeliveryId], now: DateTime<Utc>) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        conn.transaction(async |conn| {
            diesel::sql_query(
                "UPDATE notification_deliveries SET status = 'sent', sent_at = $2, \
                     attempts = attempts + 1, locked_until = NULL, last_error = NULL \
                 WHERE id = ANY($1) AND status = 'pending'",
            )
            .bind::<Array<BigInt>, _>(&ids)
            .bind::<Timestamptz, _>(now)
            .execute(conn)
            .await?;
            diesel::sql_query(WIPE_SECRETS)
                .bind::<Array<BigInt>, _>(&ids)
                .execute(conn)
                .await
                .map(drop)
        })
        .await
        .map_err(query_error)
    }

    async fn failed(
        &self,
        ids: &[DeliveryId],
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let error: String = error.chars().take(2000).collect();
        conn.transaction(async |conn| {
            diesel::sql_query(
                "UPDATE notification_deliveries SET attempts = attempts + 1, locked_until = NULL, \
                     last_error = $2, \
                     status = CASE WHEN $3::timestamptz IS NULL THEN 'dead' ELSE 'pending' END, \
                     next_attempt_at = coalesce($3, $4) \
                 WHERE id = ANY($1) AND status = 'pending'",
            )
            .bind::<Array<BigInt>, _>(&ids)
            .bind::<Text, _>(&error)
            .bind::<Nullable<Timestamptz>, _>(retry_at)
            .bind::<Timestamptz, _>(now)
            .execute(conn)
            .await?;
            diesel::sql_query(WIPE_SECRETS)
                .bind::<Array<BigInt>, _>(&ids)
                .execute(conn)
                .await
                .map(drop)
        })
        .await
        .map_err(query_error)
    }

    async fn list(&self, query: &OutboxListQuery) -> Result<Page<OutboxEntry>, PortError> {
        list::list(&self.db, query).await
    }
}
