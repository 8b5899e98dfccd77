//! `SessionRepository` on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::auth::{
    RevocationReason, Session, SessionId, SessionRepository, SessionWithUser,
};
use slimrmm_domain::user::UserId;
use uuid::Uuid;

use crate::Database;
use crate::error::query_error;
use crate::schema::{auth_sessions, security_settings, user_two_factor, users};
use crate::users::UserRow;

/// Sign-in sessions in PostgreSQL, shared by every server process.
#[derive(Clone)]
pub struct PgSessionRepository {
    db: Database,
}

impl PgSessionRepository {
    /// Sessions stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = auth_sessions, check_for_backend(diesel::pg::Pg))]
struct SessionRow {
    id: Uuid,
    user_id: i64,
    refresh_token_id: Uuid,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<SessionRow> for Session {
    fn from(row: SessionRow) -> Self {
        Session {
            id: SessionId(row.id),
            user_id: UserId(row.user_id),
            refresh_token_id: row.refresh_token_id,
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
        }
    }
}

#[async_trait]
impl SessionRepository for PgSessionRepository {
    async fn create(&self, session: &Session) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        let row = SessionRow {
            id: session.id.0,
            user_id: session.user_id.0,
            refresh_token_id: session.refresh_token_id,
            created_at: session.created_at,
            expires_at: session.expires_at,
            revoked_at: session.revoked_at,
        };
        diesel::insert_into(auth_sessions::table)
            .values(&row)
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(query_error)
    }

    async fn find(&self, id: SessionId) -> Result<Option<SessionWithUser>, PortError> {
        let mut conn = self.db.conn().await?;
        // The second factor and the policy ride along: every request reads them.
        let two_factor_active = diesel::dsl::exists(
            user_two_factor::table
                .filter(user_two_factor::user_id.eq(users::id))
                .filter(user_two_factor::active.eq(true)),
        );
        let two_factor_required = diesel::dsl::exists(
            security_settings::table.filter(security_settings::require_two_factor.eq(true)),
        );
        let found: Option<(SessionRow, UserRow, bool, bool)> = auth_sessions::table
            .inner_join(users::table)
            .filter(auth_sessions::id.eq(id.0))
            .select((
                SessionRow::as_select(),
                UserRow::as_select(),
                two_factor_active,
                two_factor_required,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?;
        found
            .map(|(session, user, two_factor_active, two_factor_required)| {
                Ok(SessionWithUser {
                    session: session.into(),
                    user: user.into_domain()?,
                    two_factor_active,
                    two_factor_required,
                })
            })
            .transpose()
    }

    async fn rotate(
        &self,
        id: SessionId,
        current: Uuid,
        next: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let mut conn = self.db.conn().await?;
        let updated = diesel::update(
            auth_sessions::table.filter(
                auth_sessions::id
                    .eq(id.0)
                    .and(auth_sessions::refresh_token_id.eq(current))
                    .and(auth_sessions::revoked_at.is_null()),
            ),
        )
        .set((
            auth_sessions::refresh_token_id.eq(next),
            auth_sessions::expires_at.eq(expires_at),
        ))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(updated == 1)
    }

    async fn revoke(
        &self,
        id: SessionId,
        reason: RevocationReason,
        at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::update(
            auth_sessions::table.filter(
                auth_sessions::id
                    .eq(id.0)
                    .and(auth_sessions::revoked_at.is_null()),
            ),
        )
        .set((
            auth_sessions::revoked_at.eq(at),
            auth_sessions::revoked_reason.eq(reason.as_str()),
        ))
        .execute(&mut conn)
        .await
        .map(drop)
        .map_err(query_error)
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        reason: RevocationReason,
        at: DateTime<Utc>,
    ) -> Result<u64, PortError> {
        let mut conn = self.db.conn().await?;
        // The nil uuid is never a session id, so "keep nothing" keeps nothing.
        let keep = keep.map_or(Uuid::nil(), |session| session.0);
        let revoked = diesel::update(
            auth_sessions::table.filter(
                auth_sessions::user_id
                    .eq(user.0)
                    .and(auth_sessions::revoked_at.is_null())
                    .and(auth_sessions::id.ne(keep)),
            ),
        )
        .set((
            auth_sessions::revoked_at.eq(at),
            auth_sessions::revoked_reason.eq(reason.as_str()),
        ))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        Ok(revoked as u64)
    }
}
