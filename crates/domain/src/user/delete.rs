use super::{UserId, UserService, UserWriteError};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};

/// Why a user could not be deleted.
#[derive(Debug, thiserror::Error)]
pub enum DeleteUserError {
    /// Only admins delete users.
    #[error("only admins may delete users")]
    Forbidden,
    /// Nobody deletes their own account (ask another admin).
    #[error("you cannot delete your own account")]
    CannotDeleteSelf,
    /// No user has this id.
    #[error("user not found")]
    NotFound,
    /// The user is the last active admin.
    #[error("the last active admin cannot be deleted")]
    LastActiveAdmin,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<UserWriteError> for DeleteUserError {
    fn from(error: UserWriteError) -> Self {
        match error {
            UserWriteError::NotFound => Self::NotFound,
            UserWriteError::LastActiveAdmin => Self::LastActiveAdmin,
            UserWriteError::Port(port) => Self::Port(port),
            unexpected @ (UserWriteError::UsernameTaken
            | UserWriteError::EmailTaken
            | UserWriteError::UnknownClient) => Self::Port(PortError::unexpected(unexpected)),
        }
    }
}

impl UserService {
    /// Deletes a user and, with it, their sessions.
    pub async fn delete(&self, actor: &Actor, id: UserId) -> Result<(), DeleteUserError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(DeleteUserError::Forbidden);
        }
        if actor.is(id) {
            return Err(DeleteUserError::CannotDeleteSelf);
        }
        self.users.delete(id).await?;
        tracing::info!(user_id = %id, by = %actor.id(), "user deleted");
        let record = AuditRecord::by(actor, "user.delete").target("user", id);
        self.audit.record(record).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{actor, services};
    use crate::user::Role;

    #[tokio::test]
    async fn nobody_deletes_themselves() {
        let ports = services();
        let result = ports
            .user_service()
            .delete(&actor(1, Role::Admin), UserId(1))
            .await;
        assert!(matches!(result, Err(DeleteUserError::CannotDeleteSelf)));
    }

    #[tokio::test]
    async fn the_last_admin_rule_of_the_store_reaches_the_caller() {
        let mut ports = services();
        ports
            .users
            .expect_delete()
            .returning(|_| Err(UserWriteError::LastActiveAdmin));
        let result = ports
            .user_service()
            .delete(&actor(1, Role::Admin), UserId(2))
            .await;
        assert!(matches!(result, Err(DeleteUserError::LastActiveAdmin)));
    }

    #[tokio::test]
    async fn only_admins_delete() {
        let ports = services();
        let result = ports
            .user_service()
            .delete(&actor(1, Role::Technician), UserId(2))
            .await;
        assert!(matches!(result, Err(DeleteUserError::Forbidden)));
    }
}
