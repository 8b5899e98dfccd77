use super::{Role, User, UserService};
use crate::PortError;
use crate::auth::{Actor, Capability};
use crate::list::{ListQuery, Page};

crate::sort_key! {
    /// The fields a user list can be sorted by.
    pub enum UserSort default Username {
        /// By username (without regard to case).
        Username => "username",
        /// By email.
        Email => "email",
        /// By creation time.
        CreatedAt => "created_at",
        /// By last sign-in (never signed in sorts last).
        LastLoginAt => "last_login_at",
    }
}

/// Filters on the user list; search covers username, email and full name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only active (or only inactive) users.
    pub is_active: Option<bool>,
}

/// A request for one page of users.
pub type UserListQuery = ListQuery<UserSort, UserFilter>;

/// Why the user list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ListUsersError {
    /// Only admins list users.
    #[error("only admins may list users")]
    Forbidden,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl UserService {
    /// One page of users (admins only: the directory holds personal data).
    pub async fn list(
        &self,
        actor: &Actor,
        query: &UserListQuery,
    ) -> Result<Page<User>, ListUsersError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(ListUsersError::Forbidden);
        }
        Ok(self.users.list(query).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::list::PageRequest;
    use crate::test_support::{actor, fixture_user, services};

    #[tokio::test]
    async fn admins_get_the_page_the_store_returns() {
        let mut ports = services();
        ports.users.expect_list().returning(|query| {
            Ok(Page {
                items: vec![fixture_user(1, "root", Role::Admin)],
                total: 41,
                request: query.page,
            })
        });
        let query = UserListQuery {
            page: PageRequest::new(2, 20).unwrap(),
            ..UserListQuery::default()
        };
        let page = ports
            .user_service()
            .list(&actor(1, Role::Admin), &query)
            .await
            .unwrap();
        assert_eq!((page.total, page.pages()), (41, 3));
    }

    #[tokio::test]
    async fn others_may_not_list_users() {
        let ports = services();
        let result = ports
            .user_service()
            .list(&actor(1, Role::Technician), &UserListQuery::default())
            .await;
        assert!(matches!(result, Err(ListUsersError::Forbidden)));
    }
}
