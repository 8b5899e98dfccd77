use chrono::{DateTime, Utc};
use diesel::prelude::*;
use slimrmm_domain::PortError;
use slimrmm_domain::user::{
    Email, FullName, PasswordHash, User, UserCredentials, UserId, Username,
};

use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::sql_types::{Array, BigInt};
use slimrmm_domain::tenancy::{ClientId, Scope};

use crate::error::corrupt;
use crate::schema::users;

/// A user as stored, without the password hash.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub(crate) struct UserRow {
    id: i64,
    username: String,
    email: Option<String>,
    full_name: Option<String>,
    role: String,
    is_active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
    all_clients: bool,
    service_account: bool,
    #[diesel(select_expression = scope_clients())]
    #[diesel(select_expression_type = SqlLiteral<Array<BigInt>>)]
    client_ids: Vec<i64>,
}

/// The clients of a user's scope, read in the same statement as the user.
fn scope_clients() -> SqlLiteral<Array<BigInt>> {
    sql::<Array<BigInt>>(
        "array(SELECT client_id FROM user_clients WHERE user_clients.user_id = users.id)",
    )
}

impl UserRow {
    pub(crate) fn into_domain(self) -> Result<User, PortError> {
        Ok(User {
            id: UserId(self.id),
            username: Username::parse(&self.username).map_err(|e| corrupt("username", e))?,
            email: self
                .email
                .as_deref()
                .map(Email::parse)
                .transpose()
                .map_err(|e| corrupt("email", e))?,
            full_name: self
                .full_name
                .as_deref()
                .map(FullName::parse)
                .transpose()
                .map_err(|e| corrupt("full name", e))?,
            role: self.role.parse().map_err(|e| corrupt("role", e))?,
            service_account: self.service_account,
            scope: if self.all_clients {
                Scope::All
            } else {
                Scope::clients(self.client_ids.into_iter().map(ClientId))
            },
            is_active: self.is_active,
            created_at: self.created_at,
            updated_at: self.updated_at,
            last_login_at: self.last_login_at,
        })
    }
}

/// A user with the password hash, for sign-in checks.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub(super) struct CredentialsRow {
    #[diesel(embed)]
    user: UserRow,
    password_hash: String,
}

impl CredentialsRow {
    pub(super) fn into_domain(self) -> Result<UserCredentials, PortError> {
        Ok(UserCredentials {
            user: self.user.into_domain()?,
            password_hash: PasswordHash::new(self.password_hash),
        })
    }
}
