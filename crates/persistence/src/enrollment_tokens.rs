//! `EnrollmentTokenRepository` on PostgreSQL.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::Tags;
use slimrmm_domain::auth::TokenDigest;
use slimrmm_domain::enrollment::{
    EnrollmentToken, EnrollmentTokenId, EnrollmentTokenListQuery, EnrollmentTokenRepository,
    EnrollmentTokenSort, NewEnrollmentToken, TokenName,
};
use slimrmm_domain::list::Page;
use slimrmm_domain::tenancy::SiteId;
use slimrmm_domain::user::UserId;

use crate::Database;
use crate::error::{corrupt, query_error};
use crate::schema::enrollment_tokens;
use crate::sql::{contains_pattern, load_page, sorted};

/// Enrollment tokens (their digests) in PostgreSQL.
#[derive(Clone)]
pub struct PgEnrollmentTokenRepository {
    db: Database,
}

impl PgEnrollmentTokenRepository {
    /// Tokens stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = enrollment_tokens, check_for_backend(Pg))]
struct TokenRow {
    id: i64,
    name: String,
    auto_approve: bool,
    tags: Vec<String>,
    max_uses: Option<i32>,
    uses: i32,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    site_id: i64,
}

impl TokenRow {
    fn into_domain(self) -> Result<EnrollmentToken, PortError> {
        Ok(EnrollmentToken {
            id: EnrollmentTokenId(self.id),
            name: TokenName::parse(&self.name).map_err(|e| corrupt("token name", e))?,
            auto_approve: self.auto_approve,
            tags: Tags::parse(&self.tags).map_err(|e| corrupt("token tags", e))?,
            site: SiteId(self.site_id),
            max_uses: self.max_uses.map(i32::unsigned_abs),
            uses: self.uses.unsigned_abs(),
            expires_at: self.expires_at,
            revoked_at: self.revoked_at,
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
        })
    }
}

fn filtered(query: &EnrollmentTokenListQuery) -> enrollment_tokens::BoxedQuery<'static, Pg> {
    let mut selection = enrollment_tokens::table.into_boxed();
    match query.filter.revoked {
        Some(true) => selection = selection.filter(enrollment_tokens::revoked_at.is_not_null()),
        Some(false) => selection = selection.filter(enrollment_tokens::revoked_at.is_null()),
        None => {}
    }
    if let Some(term) = &query.search {
        selection =
            selection.filter(enrollment_tokens::name.ilike(contains_pattern(term.as_str())));
    }
    selection
}

#[async_trait]
impl EnrollmentTokenRepository for PgEnrollmentTokenRepository {
    async fn create(
        &self,
        token: &NewEnrollmentToken,
        now: DateTime<Utc>,
    ) -> Result<EnrollmentToken, PortError> {
        let mut conn = self.db.conn().await?;
        let max_uses = token
            .max_uses
            .map(|max| {
                i32::try_from(max)
                    .map_err(|e| PortError::unexpected(anyhow::anyhow!("max_uses: {e}")))
            })
            .transpose()?;
        diesel::insert_into(enrollment_tokens::table)
            .values((
                enrollment_tokens::name.eq(token.name.as_str()),
                enrollment_tokens::token_digest.eq(token.digest.0.as_slice()),
                enrollment_tokens::auto_approve.eq(token.auto_approve),
                enrollment_tokens::tags.eq(token.tags.to_strings()),
                enrollment_tokens::max_uses.eq(max_uses),
                enrollment_tokens::site_id.eq(token.site.0),
                enrollment_tokens::expires_at.eq(token.expires_at),
                enrollment_tokens::created_by.eq(token.created_by.0),
                enrollment_tokens::created_at.eq(now),
            ))
            .returning(TokenRow::as_returning())
            .get_result::<TokenRow>(&mut conn)
            .await
            .map_err(query_error)?
            .into_domain()
    }

    async fn list(
        &self,
        query: &EnrollmentTokenListQuery,
    ) -> Result<Page<EnrollmentToken>, PortError> {
        let mut conn = self.db.conn().await?;
        let (selection, order) = (filtered(query), query.sort_order);
        let ordered = match query.sort_by {
            EnrollmentTokenSort::CreatedAt => {
                sorted!(selection, order, enrollment_tokens::created_at)
            }
            EnrollmentTokenSort::Name => sorted!(selection, order, enrollment_tokens::name),
            EnrollmentTokenSort::ExpiresAt => {
                sorted!(selection, order, nulls_last enrollment_tokens::expires_at)
            }
        }
        .then_order_by(enrollment_tokens::id.asc())
        .select(TokenRow::as_select());
        load_page(&mut conn, query.page, filtered(query).count(), ordered)
            .await?
            .try_map(TokenRow::into_domain)
    }

    async fn find_by_digest(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<EnrollmentToken>, PortError> {
        let mut conn = self.db.conn().await?;
        enrollment_tokens::table
            .filter(enrollment_tokens::token_digest.eq(digest.0.as_slice()))
            .select(TokenRow::as_select())
            .first::<TokenRow>(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(TokenRow::into_domain)
            .transpose()
    }

    async fn revoke(
        &self,
        id: EnrollmentTokenId,
        now: DateTime<Utc>,
    ) -> Result<Option<EnrollmentToken>, PortError> {
        let mut conn = self.db.conn().await?;
        // The first revocation time is kept.
        diesel::update(
            enrollment_tokens::table
                .find(id.0)
                .filter(enrollment_tokens::revoked_at.is_null()),
        )
        .set(enrollment_tokens::revoked_at.eq(now))
        .execute(&mut conn)
        .await
        .map_err(query_error)?;
        enrollment_tokens::table
            .find(id.0)
            .select(TokenRow::as_select())
            .first::<TokenRow>(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(TokenRow::into_domain)
            .transpose()
    }
}
