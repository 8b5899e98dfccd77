//! `IdempotencyStore` on PostgreSQL: one row per user and key, claimed with one statement so
//! that two copies of a request racing each other cannot both run.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Int8, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::idempotency::{
    Claim, Fingerprint, IdempotencyKey, IdempotencyStore, StoredAnswer,
};
use slimrmm_domain::user::UserId;

use crate::Database;
use crate::error::query_error;
use crate::schema::idempotency_keys;

/// Idempotency keys in PostgreSQL.
#[derive(Clone)]
pub struct PgIdempotencyStore {
    db: Database,
}

impl PgIdempotencyStore {
    /// Keys stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

/// Inserts the key, or takes over an expired row; returns a row only when this request may run.
const CLAIM: &str = "
INSERT INTO idempotency_keys (user_id, key, fingerprint, created_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, key) DO UPDATE SET
    fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at,
    status = NULL, body = NULL, completed_at = NULL
WHERE idempotency_keys.created_at < $5
RETURNING user_id";

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Int8)]
    #[expect(dead_code, reason = "only whether a row came back matters")]
    user_id: i64,
}

#[async_trait]
impl IdempotencyStore for PgIdempotencyStore {
    async fn claim(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        fingerprint: Fingerprint,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<Claim, PortError> {
        let mut conn = self.db.conn().await?;
        let claimed: Option<Claimed> = diesel::sql_query(CLAIM)
            .bind::<Int8, _>(user.0)
            .bind::<Text, _>(key.as_str())
            .bind::<Bytea, _>(fingerprint.0.as_slice())
            .bind::<Timestamptz, _>(now)
            .bind::<Timestamptz, _>(expired_before)
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        if claimed.is_some() {
            return Ok(Claim::New);
        }
        let existing: Option<(Vec<u8>, Option<i16>, Option<Vec<u8>>, DateTime<Utc>)> =
            idempotency_keys::table
                .find((user.0, key.as_str()))
                .select((
                    idempotency_keys::fingerprint,
                    idempotency_keys::status,
                    idempotency_keys::body,
                    idempotency_keys::created_at,
                ))
                .first(&mut conn)
                .await
                .optional()
                .map_err(query_error)?;
        Ok(match existing {
            // Released between the two statements: the caller may claim it again.
            None => Claim::InProgress { since: now },
            Some((stored, _, _, _)) if stored != fingerprint.0 => Claim::Mismatch,
            Some((_, Some(status), body, _)) => Claim::Replay(StoredAnswer {
                status: u16::try_from(status).unwrap_or(500),
                body: body.unwrap_or_default(),
            }),
            Some((_, None, _, since)) => Claim::InProgress { since },
        })
    }

    async fn complete(
        &self,
        user: UserId,
        key: &IdempotencyKey,
        answer: &StoredAnswer,
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::update(idempotency_keys::table.find((user.0, key.as_str())))
            .set((
                idempotency_keys::status.eq(i16::try_from(answer.status).unwrap_or(i16::MAX)),
                idempotency_keys::body.eq(&answer.body),
                idempotency_keys::completed_at.eq(now),
            ))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }

    async fn release(&self, user: UserId, key: &IdempotencyKey) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::delete(
            idempotency_keys::table
                .find((user.0, key.as_str()))
                .filter(idempotency_keys::status.is_null()),
        )
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(())
    }
}
