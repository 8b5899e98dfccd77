use serde_json::json;

use super::{
    Email, FullName, NewUser, Password, Role, User, UserService, UserWriteError, Username,
};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::tenancy::Scope;

/// A user an admin (or the operator) wants to create.
#[derive(Debug, Clone)]
pub struct CreateUserRequest {
    /// The username.
    pub username: Username,
    /// The email, if any.
    pub email: Option<Email>,
    /// The display name, if any.
    pub full_name: Option<FullName>,
    /// The role.
    pub role: Role,
    /// The clients the role applies to.
    pub scope: Scope,
    /// A service account (API keys only, no password).
    pub service_account: bool,
    /// Whether the account can sign in right away.
    pub is_active: bool,
    /// The initial password: required for a person, absent for a service account.
    pub password: Option<Password>,
}

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// The acting user is not an admin of every client.
    #[error("only admins of every client may create users")]
    Forbidden,
    /// A client of the scope does not exist.
    #[error("client_ids names a client that does not exist")]
    UnknownClient,
    /// A person needs a password; a service account must not have one.
    #[error("{0}")]
    Password(&'static str),
    /// Another user has this username.
    #[error("username is taken")]
    UsernameTaken,
    /// Another user has this email.
    #[error("email is taken")]
    EmailTaken,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<UserWriteError> for CreateUserError {
    fn from(error: UserWriteError) -> Self {
        match error {
            UserWriteError::UsernameTaken => Self::UsernameTaken,
            UserWriteError::EmailTaken => Self::EmailTaken,
            UserWriteError::UnknownClient => Self::UnknownClient,
            UserWriteError::Port(port) => Self::Port(port),
            unexpected @ (UserWriteError::NotFound | UserWriteError::LastActiveAdmin) => {
                Self::Port(PortError::unexpected(unexpected))
            }
        }
    }
}

/// A password nobody knows (two random uuids), for a service account's row: its sign-in is
/// refused anyway, and a known hash never sits where a password would.
fn unusable_password() -> Password {
    let random = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    Password::parse(random).unwrap_or_else(|_| unreachable!("64 hex digits are a valid password"))
}

impl UserService {
    /// Creates a user on behalf of an admin.
    pub async fn create(
        &self,
        actor: &Actor,
        request: CreateUserRequest,
    ) -> Result<User, CreateUserError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(CreateUserError::Forbidden);
        }
        let user = self.insert(request).await?;
        let record = AuditRecord::by(actor, "user.create")
            .target("user", user.id)
            .details(json!({
                "username": user.username.as_str(),
                "role": user.role.as_str(),
                "client_ids": user.scope.ids(),
            }));
        self.audit.record(record).await;
        Ok(user)
    }

    /// Creates a user with no acting user, for the operator's command line (recovery), which
    /// runs with the server's own authority; the audit log names the server as the actor.
    pub async fn provision(&self, request: CreateUserRequest) -> Result<User, CreateUserError> {
        let user = self.insert(request).await?;
        let record = AuditRecord::system("user.create")
            .target("user", user.id)
            .details(json!({
                "username": user.username.as_str(),
                "role": user.role.as_str(),
                "via": "command line",
            }));
        self.audit.record(record).await;
        Ok(user)
    }

    pub(super) async fn insert(&self, request: CreateUserRequest) -> Result<User, CreateUserError> {
        let password = match (request.password, request.service_account) {
            (Some(password), false) => password,
            (None, true) => unusable_password(),
            (None, false) => return Err(CreateUserError::Password("password is required")),
            (Some(_), true) => {
                return Err(CreateUserError::Password(
                    "a service account signs in with API keys only: leave password out",
                ));
            }
        };
        let password_hash = self.hasher.hash(&password).await?;
        let user = NewUser {
            username: request.username,
            email: request.email,
            full_name: request.full_name,
            role: request.role,
            scope: request.scope,
            service_account: request.service_account,
            is_active: request.is_active,
            password_hash,
        };
        let created = self.users.create(&user).await?;
        tracing::info!(user_id = %created.id, role = %created.role, "user created");
        Ok(created)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{actor, fixture_user, services};

    fn request() -> CreateUserRequest {
        CreateUserRequest {
            username: Username::parse("jane").unwrap(),
            email: Some(Email::parse("jane@example.com").unwrap()),
            full_name: None,
            role: Role::Technician,
            scope: Scope::All,
            service_account: false,
            is_active: true,
            password: Some(Password::parse("correct horse battery").unwrap()),
        }
    }

    #[tokio::test]
    async fn admins_create_users_with_a_hashed_password_and_it_is_audited() {
        let mut ports = services();
        let audit = ports.audit.clone();
        ports.users.expect_create().returning(|new| {
            assert_eq!(new.password_hash.as_str(), "hashed:correct horse battery");
            Ok(fixture_user(7, new.username.as_str(), new.role))
        });
        let from = "192.0.2.1".parse().ok();
        let created = ports
            .user_service()
            .create(&actor(1, Role::Admin).from(from), request())
            .await
            .unwrap();
        assert_eq!(created.username.as_str(), "jane");
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(record.action, "user.create");
        assert_eq!(
            (record.actor, record.source_ip, record.success),
            (Some(crate::user::UserId(1)), from, true)
        );
        assert_eq!(record.target.map(|target| target.id), Some("7".to_owned()));
        assert_eq!(
            record.details,
            serde_json::json!({"username": "jane", "role": "technician", "client_ids": null})
        );
    }

    #[tokio::test]
    async fn the_command_line_creates_users_as_the_server() {
        let mut ports = services();
        let audit = ports.audit.clone();
        ports
            .users
            .expect_create()
            .returning(|new| Ok(fixture_user(8, new.username.as_str(), new.role)));
        ports.user_service().provision(request()).await.unwrap();
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(record.actor, None);
        assert_eq!(
            record.actor_name.as_deref(),
            Some(crate::audit::SYSTEM_ACTOR)
        );
        assert_eq!(record.details["via"], "command line");
    }

    #[tokio::test]
    async fn technicians_may_not_create_users() {
        let ports = services();
        let audit = ports.audit.clone();
        let result = ports
            .user_service()
            .create(&actor(1, Role::Technician), request())
            .await;
        assert!(matches!(result, Err(CreateUserError::Forbidden)));
        assert!(audit.records().is_empty(), "nothing happened to record");
    }

    #[tokio::test]
    async fn a_taken_username_is_reported_as_such() {
        let mut ports = services();
        ports
            .users
            .expect_create()
            .returning(|_| Err(UserWriteError::UsernameTaken));
        let result = ports
            .user_service()
            .create(&actor(1, Role::Admin), request())
            .await;
        assert!(matches!(result, Err(CreateUserError::UsernameTaken)));
    }
}
