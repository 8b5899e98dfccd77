use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Email, NewUser, User, UserChanges, UserCredentials, UserId, UserListQuery, Username};
use crate::PortError;
use crate::list::Page;

/// Why storing a change to the users failed.
#[derive(Debug, thiserror::Error)]
pub enum UserWriteError {
    /// Another user has this username (compared without regard to case).
    #[error("username is taken")]
    UsernameTaken,
    /// Another user has this email (compared without regard to case).
    #[error("email is taken")]
    EmailTaken,
    /// No user has this id.
    #[error("user not found")]
    NotFound,
    /// The change would leave no active admin of every client who can sign in (service accounts
    /// do not count).
    #[error("the last active admin cannot be removed, deactivated, demoted or limited to clients")]
    LastActiveAdmin,
    /// A client of the user's scope does not exist.
    #[error("unknown client in the scope")]
    UnknownClient,
    /// The store failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Where users are kept.
///
/// Implementations must make [`update`](Self::update) and [`delete`](Self::delete) refuse, with
/// [`UserWriteError::LastActiveAdmin`], any change that would leave no active admin, atomically
/// with the change itself (two admins demoting each other at once must not both succeed).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserRepository: Send + Sync {
    /// Stores a new user; `created_at` and `updated_at` are the time of storing (the store's
    /// clock).
    async fn create(&self, user: &NewUser) -> Result<User, UserWriteError>;

    /// The user with this id.
    async fn find(&self, id: UserId) -> Result<Option<User>, PortError>;

    /// The user with this username (without regard to case), with their password hash.
    async fn find_credentials(
        &self,
        username: &Username,
    ) -> Result<Option<UserCredentials>, PortError>;

    /// The user with this id, with their password hash.
    async fn find_credentials_by_id(
        &self,
        id: UserId,
    ) -> Result<Option<UserCredentials>, PortError>;

    /// The user with this email (without regard to case).
    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, PortError>;

    /// One page of users matching the query.
    async fn list(&self, query: &UserListQuery) -> Result<Page<User>, PortError>;

    /// Applies `changes`, stamping `updated_at` with `now`.
    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError>;

    /// Removes the user.
    async fn delete(&self, id: UserId) -> Result<(), UserWriteError>;

    /// How many users exist.
    async fn count(&self) -> Result<u64, PortError>;

    /// Notes a successful sign-in.
    async fn record_login(&self, id: UserId, at: DateTime<Utc>) -> Result<(), PortError>;
}
