use serde_json::json;

use super::{
    Email, FullName, Password, Role, User, UserChanges, UserId, UserService, UserWriteError,
    Username,
};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability, RevocationReason};
use crate::tenancy::Scope;

/// A new password, with the current one when users change their own.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    /// The new password.
    pub new: Password,
    /// The current password; required when the target is the acting user.
    pub current: Option<Password>,
}

/// Changes to a user; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct UpdateUserRequest {
    /// A new username (admins only).
    pub username: Option<Username>,
    /// A new email, or `Some(None)` to remove it.
    pub email: Option<Option<Email>>,
    /// A new full name, or `Some(None)` to remove it.
    pub full_name: Option<Option<FullName>>,
    /// A new role (admins only).
    pub role: Option<Role>,
    /// A new scope (admins only).
    pub scope: Option<Scope>,
    /// Activate or deactivate (admins only).
    pub is_active: Option<bool>,
    /// A new password.
    pub password: Option<PasswordChange>,
}

impl UpdateUserRequest {
    /// The names of the fields this request sets (or clears), as the API names them.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("username", self.username.is_some()),
            ("email", self.email.is_some()),
            ("full_name", self.full_name.is_some()),
            ("role", self.role.is_some()),
            ("client_ids", self.scope.is_some()),
            ("is_active", self.is_active.is_some()),
            ("password", self.password.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect()
    }

    fn touches_admin_fields(&self) -> bool {
        self.username.is_some()
            || self.role.is_some()
            || self.scope.is_some()
            || self.is_active.is_some()
    }
}

/// Why a user could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum UpdateUserError {
    /// Non-admins may only change their own email, full name and password.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No user has this id.
    #[error("user not found")]
    NotFound,
    /// Another user has this username.
    #[error("username is taken")]
    UsernameTaken,
    /// Another user has this email.
    #[error("email is taken")]
    EmailTaken,
    /// The change would leave no active admin of every client.
    #[error(
        "the last active admin of every client cannot be demoted, deactivated or limited to clients"
    )]
    LastActiveAdmin,
    /// A client of the new scope does not exist.
    #[error("client_ids names a client that does not exist")]
    UnknownClient,
    /// Changing one's own password needs the current one.
    #[error("the current password is required to change your own password")]
    CurrentPasswordRequired,
    /// The current password given was wrong.
    #[error("the current password is incorrect")]
    CurrentPasswordIncorrect,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<UserWriteError> for UpdateUserError {
    fn from(error: UserWriteError) -> Self {
        match error {
            UserWriteError::UsernameTaken => Self::UsernameTaken,
            UserWriteError::EmailTaken => Self::EmailTaken,
            UserWriteError::NotFound => Self::NotFound,
            UserWriteError::LastActiveAdmin => Self::LastActiveAdmin,
            UserWriteError::UnknownClient => Self::UnknownClient,
            UserWriteError::Port(port) => Self::Port(port),
        }
    }
}

impl UserService {
    /// Updates a user. Admins change anything (within the last-admin rule); everyone changes
    /// their own email, full name and password. A new password or a deactivation ends the
    /// user's sessions, except the one making the change.
    pub async fn update(
        &self,
        actor: &Actor,
        id: UserId,
        request: UpdateUserRequest,
    ) -> Result<User, UpdateUserError> {
        self.authorize_update(actor, id, &request)?;
        let fields = request.changed_fields();
        let password_hash = match &request.password {
            Some(change) => Some(self.new_password_hash(actor, id, change).await?),
            None => None,
        };
        let changes = UserChanges {
            username: request.username,
            email: request.email,
            full_name: request.full_name,
            role: request.role,
            scope: request.scope,
            is_active: request.is_active,
            password_hash,
        };
        let now = self.clock.now();
        let updated = self.users.update(id, &changes, now).await?;
        if changes.ends_sessions() {
            let keep = actor.session().filter(|_| actor.is(id));
            let reason = if changes.password_hash.is_some() {
                RevocationReason::PasswordChanged
            } else {
                RevocationReason::AccountDisabled
            };
            self.sessions
                .revoke_all_for_user(id, keep, reason, now)
                .await?;
        }
        tracing::info!(user_id = %id, by = %actor.id(), "user updated");
        let record = AuditRecord::by(actor, "user.update")
            .target("user", updated.id)
            .details(json!({
                "fields": fields,
                "role": updated.role.as_str(),
                "is_active": updated.is_active,
            }));
        self.audit.record(record).await;
        Ok(updated)
    }

    fn authorize_update(
        &self,
        actor: &Actor,
        id: UserId,
        request: &UpdateUserRequest,
    ) -> Result<(), UpdateUserError> {
        if actor.can_globally(Capability::Administer) {
            return Ok(());
        }
        if !actor.is(id) {
            return Err(UpdateUserError::Forbidden(
                "only admins may update other users",
            ));
        }
        if request.touches_admin_fields() {
            return Err(UpdateUserError::Forbidden(
                "only admins may change a username, role, client scope or active flag",
            ));
        }
        Ok(())
    }

    async fn new_password_hash(
        &self,
        actor: &Actor,
        id: UserId,
        change: &PasswordChange,
    ) -> Result<super::PasswordHash, UpdateUserError> {
        if actor.is(id) {
            let current = change
                .current
                .as_ref()
                .ok_or(UpdateUserError::CurrentPasswordRequired)?;
            let credentials = self
                .users
                .find_credentials_by_id(id)
                .await?
                .ok_or(UpdateUserError::NotFound)?;
            if !self
                .hasher
                .verify(current, &credentials.password_hash)
                .await?
            {
                return Err(UpdateUserError::CurrentPasswordIncorrect);
            }
        }
        Ok(self.hasher.hash(&change.new).await?)
    }
}

#[cfg(test)]
mod tests {
    use mockall::predicate::{always, eq};

    use super::*;
    use crate::test_support::{actor, credentials, fixture_user, services};

    fn password(raw: &str) -> Password {
        Password::parse(raw).unwrap()
    }

    #[tokio::test]
    async fn users_change_their_own_name_but_not_their_role() {
        let mut ports = services();
        ports
            .users
            .expect_update()
            .returning(|id, _, _| Ok(fixture_user(id.0, "myself", Role::Viewer)));
        let service = ports.user_service();
        let me = actor(4, Role::Viewer);
        let rename = UpdateUserRequest {
            full_name: Some(Some(FullName::parse("Me Myself").unwrap())),
            ..Default::default()
        };
        assert!(service.update(&me, UserId(4), rename).await.is_ok());
        let promote = UpdateUserRequest {
            role: Some(Role::Admin),
            ..Default::default()
        };
        let result = service.update(&me, UserId(4), promote).await;
        assert!(matches!(result, Err(UpdateUserError::Forbidden(_))));
        let other = UpdateUserRequest::default();
        let result = service.update(&me, UserId(5), other).await;
        assert!(matches!(result, Err(UpdateUserError::Forbidden(_))));
    }

    #[tokio::test]
    async fn changing_ones_own_password_needs_the_current_one() {
        let mut ports = services();
        ports.users.expect_find_credentials_by_id().returning(|id| {
            Ok(Some(credentials(
                id.0,
                "myself",
                Role::Viewer,
                "old password 123",
            )))
        });
        let service = ports.user_service();
        let me = actor(4, Role::Viewer);
        let without = UpdateUserRequest {
            password: Some(PasswordChange {
                new: password("new password 456"),
                current: None,
            }),
            ..Default::default()
        };
        let result = service.update(&me, UserId(4), without).await;
        assert!(matches!(
            result,
            Err(UpdateUserError::CurrentPasswordRequired)
        ));
        let wrong = UpdateUserRequest {
            password: Some(PasswordChange {
                new: password("new password 456"),
                current: Some(password("not my password")),
            }),
            ..Default::default()
        };
        let result = service.update(&me, UserId(4), wrong).await;
        assert!(matches!(
            result,
            Err(UpdateUserError::CurrentPasswordIncorrect)
        ));
    }

    #[tokio::test]
    async fn a_new_password_ends_the_other_sessions_but_keeps_this_one() {
        let mut ports = services();
        ports.users.expect_find_credentials_by_id().returning(|id| {
            Ok(Some(credentials(
                id.0,
                "myself",
                Role::Viewer,
                "old password 123",
            )))
        });
        ports.users.expect_update().returning(|id, changes, _| {
            assert_eq!(
                changes.password_hash.as_ref().map(|hash| hash.as_str()),
                Some("hashed:new password 456")
            );
            Ok(fixture_user(id.0, "myself", Role::Viewer))
        });
        let me = actor(4, Role::Viewer);
        ports
            .sessions
            .expect_revoke_all_for_user()
            .with(
                eq(UserId(4)),
                eq(me.session()),
                eq(RevocationReason::PasswordChanged),
                always(),
            )
            .times(1)
            .returning(|_, _, _, _| Ok(2));
        let request = UpdateUserRequest {
            password: Some(PasswordChange {
                new: password("new password 456"),
                current: Some(password("old password 123")),
            }),
            ..Default::default()
        };
        ports
            .user_service()
            .update(&me, UserId(4), request)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn admins_reset_others_passwords_without_the_current_one_and_end_all_their_sessions() {
        let mut ports = services();
        ports
            .users
            .expect_update()
            .returning(|id, _, _| Ok(fixture_user(id.0, "them", Role::Viewer)));
        ports
            .sessions
            .expect_revoke_all_for_user()
            .with(
                eq(UserId(9)),
                eq(None),
                eq(RevocationReason::PasswordChanged),
                always(),
            )
            .times(1)
            .returning(|_, _, _, _| Ok(1));
        let request = UpdateUserRequest {
            password: Some(PasswordChange {
                new: password("new password 456"),
                current: None,
            }),
            ..Default::default()
        };
        ports
            .user_service()
            .update(&actor(1, Role::Admin), UserId(9), request)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn demoting_the_last_admin_is_refused() {
        let mut ports = services();
        ports
            .users
            .expect_update()
            .returning(|_, _, _| Err(UserWriteError::LastActiveAdmin));
        let request = UpdateUserRequest {
            role: Some(Role::Viewer),
            ..Default::default()
        };
        let result = ports
            .user_service()
            .update(&actor(1, Role::Admin), UserId(1), request)
            .await;
        assert!(matches!(result, Err(UpdateUserError::LastActiveAdmin)));
    }
}
