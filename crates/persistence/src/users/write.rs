use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::tenancy::Scope;
use slimrmm_domain::user::{NewUser, Role, User, UserChanges, UserId, UserWriteError};

use super::UserRow;
use crate::Database;
use crate::error::{TxError, query_error, violated_foreign_key, violated_unique_index};
use crate::schema::{user_clients, users};

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    username: &'a str,
    email: Option<&'a str>,
    full_name: Option<&'a str>,
    role: &'a str,
    password_hash: &'a str,
    is_active: bool,
    service_account: bool,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChangeset<'a> {
    username: Option<&'a str>,
    email: Option<Option<&'a str>>,
    full_name: Option<Option<&'a str>>,
    role: Option<&'a str>,
    is_active: Option<bool>,
    password_hash: Option<&'a str>,
    updated_at: DateTime<Utc>,
}

/// Storage failures in the terms of the users port.
fn write_error(error: diesel::result::Error) -> UserWriteError {
    if violated_foreign_key(&error) == Some("user_clients_client_id_fkey") {
        return UserWriteError::UnknownClient;
    }
    match violated_unique_index(&error) {
        Some("users_username_key") => UserWriteError::UsernameTaken,
        Some("users_email_key") => UserWriteError::EmailTaken,
        _ => UserWriteError::Port(query_error(error)),
    }
}

/// Sets a user's scope: every client, or the listed ones alone.
async fn set_scope(conn: &mut AsyncPgConnection, id: i64, scope: &Scope) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::all_clients.eq(scope.is_all()))
        .execute(conn)
        .await?;
    diesel::delete(user_clients::table.filter(user_clients::user_id.eq(id)))
        .execute(conn)
        .await?;
    if let Some(clients) = scope.ids() {
        let rows: Vec<_> = clients
            .into_iter()
            .map(|client| {
                (
                    user_clients::user_id.eq(id),
                    user_clients::client_id.eq(client),
                )
            })
            .collect();
        diesel::insert_into(user_clients::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn reread(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .get_result(conn)
        .await
}

fn tx_error(error: TxError<UserWriteError>) -> UserWriteError {
    match error {
        TxError::Db(error) => write_error(error),
        TxError::Rule(rule) => rule,
    }
}

pub(super) async fn create(db: &Database, user: &NewUser) -> Result<User, UserWriteError> {
    let mut conn = db.conn().await?;
    let row = NewUserRow {
        username: user.username.as_str(),
        email: user.email.as_ref().map(|email| email.as_str()),
        full_name: user.full_name.as_ref().map(|name| name.as_str()),
        role: user.role.as_str(),
        password_hash: user.password_hash.as_str(),
        is_active: user.is_active,
        service_account: user.service_account,
    };
    let stored: UserRow = conn
        .transaction(async |conn| {
            let id: i64 = diesel::insert_into(users::table)
                .values(&row)
                .returning(users::id)
                .get_result(conn)
                .await?;
            set_scope(conn, id, &user.scope).await?;
            reread(conn, id).await
        })
        .await
        .map_err(write_error)?;
    Ok(stored.into_domain()?)
}

/// Locks every active admin row, so that concurrent demotions and deletions of admins take
/// turns and each sees the others' outcome. True when `id` is one of them.
async fn lock_active_admins(conn: &mut AsyncPgConnection, id: UserId) -> QueryResult<bool> {
    let admins: Vec<i64> = users::table
        .filter(users::role.eq(Role::Admin.as_str()).and(users::is_active))
        .filter(users::all_clients.and(users::service_account.eq(false)))
        .select(users::id)
        .for_update()
        .load(conn)
        .await?;
    Ok(admins.contains(&id.0))
}

async fn active_admins_remain(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::role.eq(Role::Admin.as_str()).and(users::is_active))
            .filter(users::all_clients.and(users::service_account.eq(false))),
    ))
    .get_result(conn)
    .await
}

pub(super) async fn update(
    db: &Database,
    id: UserId,
    changes: &UserChanges,
    now: DateTime<Utc>,
) -> Result<User, UserWriteError> {
    let mut conn = db.conn().await?;
    let changeset = UserChangeset {
        username: changes.username.as_ref().map(|name| name.as_str()),
        email: changes
            .email
            .as_ref()
            .map(|email| email.as_ref().map(|e| e.as_str())),
        full_name: changes
            .full_name
            .as_ref()
            .map(|name| name.as_ref().map(|n| n.as_str())),
        role: changes.role.map(Role::as_str),
        is_active: changes.is_active,
        password_hash: changes.password_hash.as_ref().map(|hash| hash.as_str()),
        updated_at: now,
    };
    let may_remove_admin = changes.may_remove_admin();
    let scope = changes.scope.as_ref();
    let row = conn
        .transaction(async |conn| {
            let guard = may_remove_admin && lock_active_admins(conn, id).await?;
            let row: Option<UserRow> = diesel::update(users::table.find(id.0))
                .set(&changeset)
                .returning(UserRow::as_returning())
                .get_result(conn)
                .await
                .optional()?;
            let mut row = row.ok_or(TxError::Rule(UserWriteError::NotFound))?;
            if let Some(scope) = scope {
                set_scope(conn, id.0, scope).await?;
                row = reread(conn, id.0).await?;
            }
            if guard && !active_admins_remain(conn).await? {
                return Err(TxError::Rule(UserWriteError::LastActiveAdmin));
            }
            Ok(row)
        })
        .await
        .map_err(tx_error)?;
    Ok(row.into_domain()?)
}

pub(super) async fn delete(db: &Database, id: UserId) -> Result<(), UserWriteError> {
    let mut conn = db.conn().await?;
    conn.transaction(async |conn| {
        let guard = lock_active_admins(conn, id).await?;
        let deleted = diesel::delete(users::table.find(id.0))
            .execute(conn)
            .await?;
        if deleted == 0 {
            return Err(TxError::Rule(UserWriteError::NotFound));
        }
        if guard && !active_admins_remain(conn).await? {
            return Err(TxError::Rule(UserWriteError::LastActiveAdmin));
        }
        Ok(())
    })
    .await
    .map_err(tx_error)
}
