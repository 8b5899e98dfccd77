use std::fmt;

use chrono::{DateTime, Utc};

use crate::tenancy::Scope;

use super::{Email, FullName, PasswordHash, Role, Username};

/// A user's numeric identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A person who signs in to SlimRMM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Its identifier.
    pub id: UserId,
    /// Unique, compared without regard to case.
    pub username: Username,
    /// Unique when present; accounts made by the operator CLI may have none.
    pub email: Option<Email>,
    /// How the user is addressed.
    pub full_name: Option<FullName>,
    /// What the user may do.
    pub role: Role,
    /// Which clients the role applies to.
    pub scope: Scope,
    /// A service account: its only credentials are API keys an admin made for it (no
    /// password sign-in, no password reset).
    pub service_account: bool,
    /// Inactive users cannot sign in and their sessions are refused.
    pub is_active: bool,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
    /// When the user last signed in.
    pub last_login_at: Option<DateTime<Utc>>,
}

/// A user together with the hash of their password, for sign-in checks only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCredentials {
    /// The account.
    pub user: User,
    /// Its password hash.
    pub password_hash: PasswordHash,
}

/// A user about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// See [`User::username`].
    pub username: Username,
    /// See [`User::email`].
    pub email: Option<Email>,
    /// See [`User::full_name`].
    pub full_name: Option<FullName>,
    /// See [`User::role`].
    pub role: Role,
    /// See [`User::scope`].
    pub scope: Scope,
    /// See [`User::service_account`].
    pub service_account: bool,
    /// See [`User::is_active`].
    pub is_active: bool,
    /// The hash of the chosen password.
    pub password_hash: PasswordHash,
}

/// Changes to a stored user; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// A new username.
    pub username: Option<Username>,
    /// A new email, or `Some(None)` to remove it.
    pub email: Option<Option<Email>>,
    /// A new full name, or `Some(None)` to remove it.
    pub full_name: Option<Option<FullName>>,
    /// A new role.
    pub role: Option<Role>,
    /// A new scope.
    pub scope: Option<Scope>,
    /// Activate or deactivate.
    pub is_active: Option<bool>,
    /// A new password hash.
    pub password_hash: Option<PasswordHash>,
}

impl UserChanges {
    /// True when the change could leave the system without an active admin of every client.
    pub fn may_remove_admin(&self) -> bool {
        self.role.is_some_and(|role| role != Role::Admin)
            || self.is_active == Some(false)
            || self.scope.as_ref().is_some_and(|scope| !scope.is_all())
    }

    /// True when the change ends the user's right to their current sessions.
    pub(crate) fn ends_sessions(&self) -> bool {
        self.is_active == Some(false) || self.password_hash.is_some()
    }
}
