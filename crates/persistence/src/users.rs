//! `UserRepository` on PostgreSQL.

mod list;
mod row;
mod write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::user::{
    Email, NewUser, User, UserChanges, UserCredentials, UserId, UserListQuery, UserRepository,
    UserWriteError, Username,
};

use row::CredentialsRow;
pub(crate) use row::UserRow;

use crate::Database;
use crate::error::query_error;
use crate::schema::users;
use crate::sql::lower;

/// Users in PostgreSQL.
#[derive(Clone)]
pub struct PgUserRepository {
    db: Database,
}

impl PgUserRepository {
    /// Users stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    async fn user(
        &self,
        selection: users::BoxedQuery<'static, diesel::pg::Pg>,
    ) -> Result<Option<User>, PortError> {
        let mut conn = self.db.conn().await?;
        selection
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(UserRow::into_domain)
            .transpose()
    }

    async fn credentials(
        &self,
        selection: users::BoxedQuery<'static, diesel::pg::Pg>,
    ) -> Result<Option<UserCredentials>, PortError> {
        let mut conn = self.db.conn().await?;
        selection
            .select(CredentialsRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)?
            .map(CredentialsRow::into_domain)
            .transpose()
    }
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn create(&self, user: &NewUser) -> Result<User, UserWriteError> {
        write::create(&self.db, user).await
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, PortError> {
        self.user(users::table.find(id.0).into_boxed()).await
    }

    async fn find_credentials(
        &self,
        username: &Username,
    ) -> Result<Option<UserCredentials>, PortError> {
        let name = username.as_str().to_lowercase();
        let selection =
            users::table.filter(lower(users::username.nullable()).eq(name).assume_not_null());
        self.credentials(selection.into_boxed()).await
    }

    async fn find_credentials_by_id(
        &self,
        id: UserId,
    ) -> Result<Option<UserCredentials>, PortError> {
        self.credentials(users::table.filter(users::id.eq(id.0)).into_boxed())
            .await
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, PortError> {
        let selection = users::table.filter(lower(users::email).eq(email.as_str().to_lowercase()));
        self.user(selection.into_boxed()).await
    }

    async fn list(&self, query: &UserListQuery) -> Result<Page<User>, PortError> {
        list::list(&self.db, query).await
    }

    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError> {
        write::update(&self.db, id, changes, now).await
    }

    async fn delete(&self, id: UserId) -> Result<(), UserWriteError> {
        write::delete(&self.db, id).await
    }

    async fn count(&self) -> Result<u64, PortError> {
        let mut conn = self.db.conn().await?;
        let count: i64 = users::table
            .count()
            .get_result(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(count.unsigned_abs())
    }

    async fn record_login(&self, id: UserId, at: DateTime<Utc>) -> Result<(), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::update(users::table.find(id.0))
            .set(users::last_login_at.eq(at))
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(query_error)
    }
}
