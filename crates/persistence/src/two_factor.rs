//! Second factors and sign-in challenges on PostgreSQL. The TOTP secret is sealed with the
//! master key; recovery codes and challenges are kept as digests only.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bytea, Int8, Timestamptz};
use diesel_async::{AsyncConnection, RunQueryDsl};
use secrecy::{ExposeSecret, SecretString};
use slimrmm_domain::PortError;
use slimrmm_domain::auth::{
    LoginChallenge, LoginChallengeRepository, TokenDigest, TwoFactor, TwoFactorRepository,
};
use slimrmm_domain::sealer::SecretSealer;
use slimrmm_domain::user::UserId;

use crate::Database;
use crate::error::query_error;
use crate::schema::{login_challenges, user_recovery_codes, user_two_factor};

/// What the TOTP secret is sealed for (a sealed value opens only for its purpose).
const PURPOSE: &str = "user two-factor secret";

/// Second factors in `db`, secrets sealed with a `SecretSealer`.
#[derive(Clone)]
pub struct PgTwoFactorRepository {
    db: Database,
    sealer: Arc<dyn SecretSealer>,
}

impl PgTwoFactorRepository {
    /// Second factors in `db`, their secrets sealed with `sealer`.
    pub fn new(db: Database, sealer: Arc<dyn SecretSealer>) -> Self {
        Self { db, sealer }
    }
}

/// A new pending secret, replacing a pending one but never an active one.
const BEGIN: &str = "
INSERT INTO user_two_factor (user_id, secret, active, created_at) VALUES ($1, $2, FALSE, $3)
ON CONFLICT (user_id) DO UPDATE SET
    secret = EXCLUDED.secret, created_at = EXCLUDED.created_at, last_step = NULL
WHERE user_two_factor.active = FALSE";

fn step(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[async_trait]
impl TwoFactorRepository for PgTwoFactorRepository {
    async fn find(&self, user: UserId) -> Result<Option<TwoFactor>, PortError> {
        let mut conn = self.db.conn().await?;
        // The codes left ride along in the same round trip.
        let left = user_recovery_codes::table
            .filter(user_recovery_codes::user_id.eq(user_two_factor::user_id))
            .filter(user_recovery_codes::used_at.is_null())
            .count()
            .single_value();
        let row: Option<(Vec<u8>, bool, Option<i64>, Option<i64>)> = user_two_factor::table
            .find(user.0)
            .select((
                user_two_factor::secret,
                user_two_factor::active,
                user_two_factor::last_step,
                left,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        let Some((sealed, active, last_step, left)) = row else {
            return Ok(None);
        };
        let secret = String::from_utf8(self.sealer.open(&sealed, PURPOSE)?)
            .map_err(|_| PortError::unexpected(anyhow::anyhow!("a TOTP secret is not text")))?;
        Ok(Some(TwoFactor {
            user,
            secret: SecretString::from(secret),
            active,
            last_step: last_step.and_then(|step| u64::try_from(step).ok()),
            recovery_codes_left: u32::try_from(left.unwrap_or(0)).unwrap_or(u32::MAX),
        }))
    }

    async fn begin(
        &self,
        user: UserId,
        secret: &SecretString,
        at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let sealed = self.sealer.seal(secret.expose_secret().as_bytes(), PURPOSE);
        let mut conn = self.db.conn().await?;
        let written = diesel::sql_query(BEGIN)
            .bind::<Int8, _>(user.0)
            .bind::<Bytea, _>(&sealed)
            .bind::<Timestamptz, _>(at)
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(written == 1)
    }

    async fn activate(
        &self,
        user: UserId,
        accepted: u64,
        recovery: &[TokenDigest],
        at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let codes: Vec<_> = recovery
            .iter()
            .map(|digest| {
                (
                    user_recovery_codes::user_id.eq(user.0),
                    user_recovery_codes::digest.eq(digest.0.to_vec()),
                )
            })
            .collect();
        let mut conn = self.db.conn().await?;
        conn.transaction(async |conn| {
            let activated = diesel::update(
                user_two_factor::table
                    .find(user.0)
                    .filter(user_two_factor::active.eq(false)),
            )
            .set((
                user_two_factor::active.eq(true),
                user_two_factor::last_step.eq(step(accepted)),
                user_two_factor::activated_at.eq(at),
            ))
            .execute(conn)
            .await?;
            if activated == 1 {
                diesel::delete(
                    user_recovery_codes::table.filter(user_recovery_codes::user_id.eq(user.0)),
                )
                .execute(conn)
                .await?;
                diesel::insert_into(user_recovery_codes::table)
                    .values(&codes)
                    .execute(conn)
                    .await?;
            }
            Ok::<_, diesel::result::Error>(activated == 1)
        })
        .await
        .map_err(query_error)
    }

    async fn use_step(&self, user: UserId, accepted: u64) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let accepted = step(accepted);
        let written = diesel::update(
            user_two_factor::table
                .find(user.0)
                .filter(user_two_factor::active.eq(true))
                .filter(
                    user_two_factor::last_step
                        .is_null()
                        .or(user_two_factor::last_step.lt(accepted)),
                ),
        )
        .set(user_two_factor::last_step.eq(accepted))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(written == 1)
    }

    async fn use_recovery_code(
        &self,
        user: UserId,
        code: &TokenDigest,
        at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let used = diesel::update(
            user_recovery_codes::table
                .filter(user_recovery_codes::user_id.eq(user.0))
                .filter(user_recovery_codes::digest.eq(code.0.to_vec()))
                .filter(user_recovery_codes::used_at.is_null()),
        )
        .set(user_recovery_codes::used_at.eq(at))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(used > 0)
    }

    async fn remove(&self, user: UserId) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let removed = diesel::delete(user_two_factor::table.find(user.0))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(removed == 1)
    }
}

/// Sign-in challenges in PostgreSQL.
#[derive(Clone)]
pub struct PgLoginChallengeRepository {
    db: Database,
}

impl PgLoginChallengeRepository {
    /// Challenges in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl LoginChallengeRepository for PgLoginChallengeRepository {
    async fn create(&self, challenge: &LoginChallenge) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::insert_into(login_challenges::table)
            .values((
                login_challenges::digest.eq(challenge.digest.0.to_vec()),
                login_challenges::user_id.eq(challenge.user.0),
                login_challenges::expires_at.eq(challenge.expires_at),
            ))
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(())
    }

    async fn attempt(
        &self,
        digest: &TokenDigest,
        now: DateTime<Utc>,
        max_attempts: u32,
    ) -> Result<Option<UserId>, PortError> {
        let mut conn = self.db.conn().await?;
        let max = i32::try_from(max_attempts).unwrap_or(i32::MAX);
        let user: Option<i64> = diesel::update(
            login_challenges::table
                .find(digest.0.to_vec())
                .filter(login_challenges::consumed_at.is_null())
                .filter(login_challenges::expires_at.gt(now))
                .filter(login_challenges::attempts.lt(max)),
        )
        .set(login_challenges::attempts.eq(login_challenges::attempts + 1))
        .returning(login_challenges::user_id)
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(query_error)?;
        Ok(user.map(UserId))
    }

    async fn consume(&self, digest: &TokenDigest) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let consumed = diesel::update(
            login_challenges::table
                .find(digest.0.to_vec())
                .filter(login_challenges::consumed_at.is_null()),
        )
        .set(login_challenges::consumed_at.eq(diesel::dsl::now))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(consumed == 1)
    }
}
