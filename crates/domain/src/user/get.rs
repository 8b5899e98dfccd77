use super::{User, UserId, UserService};
use crate::PortError;
use crate::auth::{Actor, Capability};

/// Why a user could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GetUserError {
    /// Only admins read other users' profiles.
    #[error("you may only read your own profile")]
    Forbidden,
    /// No user has this id.
    #[error("user not found")]
    NotFound,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl UserService {
    /// Reads one user: an admin reads anyone, everyone else only themselves.
    pub async fn get(&self, actor: &Actor, id: UserId) -> Result<User, GetUserError> {
        if !actor.is(id) && !actor.can_globally(Capability::Administer) {
            return Err(GetUserError::Forbidden);
        }
        self.users.find(id).await?.ok_or(GetUserError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{actor, fixture_user, services};
    use crate::user::Role;

    #[tokio::test]
    async fn viewers_read_themselves_but_not_others() {
        let mut ports = services();
        ports
            .users
            .expect_find()
            .returning(|id| Ok(Some(fixture_user(id.0, "myself", Role::Viewer))));
        let service = ports.user_service();
        let me = actor(5, Role::Viewer);
        assert_eq!(service.get(&me, UserId(5)).await.unwrap().id, UserId(5));
        assert!(matches!(
            service.get(&me, UserId(6)).await,
            Err(GetUserError::Forbidden)
        ));
    }

    #[tokio::test]
    async fn a_missing_user_is_not_found() {
        let mut ports = services();
        ports.users.expect_find().returning(|_| Ok(None));
        let result = ports
            .user_service()
            .get(&actor(1, Role::Admin), UserId(99))
            .await;
        assert!(matches!(result, Err(GetUserError::NotFound)));
    }
}
