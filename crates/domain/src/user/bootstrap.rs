use serde_json::json;

use super::{
    CreateUserError, CreateUserRequest, Email, Password, Role, User, UserService, Username,
};
use crate::audit::AuditRecord;

/// The admin to create when the server starts with no users at all.
#[derive(Debug, Clone)]
pub struct BootstrapAdmin {
    /// Its username.
    pub username: Username,
    /// Its email, if configured.
    pub email: Option<Email>,
    /// Its password.
    pub password: Password,
    /// Whether the server generated the password (and shows it once), rather than the
    /// operator configuring it.
    pub password_generated: bool,
}

impl UserService {
    /// Creates `admin` if, and only if, no user exists yet. Returns the new admin, or `None`
    /// when there were users already (or another server process created the admin first).
    pub async fn bootstrap_admin(
        &self,
        admin: BootstrapAdmin,
    ) -> Result<Option<User>, CreateUserError> {
        if self.users.count().await? > 0 {
            return Ok(None);
        }
        let request = CreateUserRequest {
            username: admin.username,
            email: admin.email,
            full_name: None,
            role: Role::Admin,
            scope: crate::tenancy::Scope::All,
            service_account: false,
            is_active: true,
            password: Some(admin.password),
        };
        match self.insert(request).await {
            Ok(user) => {
                let record = AuditRecord::system("user.create")
                    .target("user", user.id)
                    .details(json!({
                        "username": user.username.as_str(),
                        "role": "admin",
                        "first_admin": true,
                        "password_generated": admin.password_generated,
                    }));
                self.audit.record(record).await;
                Ok(Some(user))
            }
            Err(CreateUserError::UsernameTaken | CreateUserError::EmailTaken) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{fixture_user, services};

    fn admin() -> BootstrapAdmin {
        BootstrapAdmin {
            username: Username::parse("admin").unwrap(),
            email: None,
            password: Password::parse("correct horse battery").unwrap(),
            password_generated: true,
        }
    }

    #[tokio::test]
    async fn creates_an_admin_only_in_an_empty_system() {
        let mut ports = services();
        let audit = ports.audit.clone();
        ports.users.expect_count().returning(|| Ok(0));
        ports.users.expect_create().returning(|new| {
            assert_eq!(new.role, Role::Admin);
            Ok(fixture_user(1, new.username.as_str(), new.role))
        });
        assert!(
            ports
                .user_service()
                .bootstrap_admin(admin())
                .await
                .unwrap()
                .is_some()
        );
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(record.action, "user.create");
        assert_eq!(
            record.actor_name.as_deref(),
            Some(crate::audit::SYSTEM_ACTOR)
        );
        assert_eq!(record.details["first_admin"], true);
        assert_eq!(record.details["password_generated"], true);

        let mut ports = services();
        let audit = ports.audit.clone();
        ports.users.expect_count().returning(|| Ok(3));
        assert!(
            ports
                .user_service()
                .bootstrap_admin(admin())
                .await
                .unwrap()
                .is_none()
        );
        assert!(audit.records().is_empty(), "nothing was created");
    }
}
