use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slimrmm_domain::user::{Role, User};
use utoipa::ToSchema;

/// A role: `viewer` reads, `technician` also acts on agents and runs scripts, `admin` also
/// manages users, integrations and enrollment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RoleDto {
    /// Full control.
    Admin,
    /// Operates agents.
    Technician,
    /// Read-only.
    Viewer,
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Self {
        match role {
            RoleDto::Admin => Role::Admin,
            RoleDto::Technician => Role::Technician,
            RoleDto::Viewer => Role::Viewer,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> Self {
        match role {
            Role::Admin => RoleDto::Admin,
            Role::Technician => RoleDto::Technician,
            Role::Viewer => RoleDto::Viewer,
        }
    }
}

/// A user. Passwords and their hashes never appear in any response.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    /// Identifier.
    #[schema(example = 1)]
    pub id: i64,
    /// Unique, case-insensitively.
    #[schema(example = "jane.doe")]
    pub username: String,
    /// Unique, case-insensitively; may be absent for accounts made on the command line.
    #[schema(example = "jane@example.com")]
    pub email: Option<String>,
    /// Display name.
    #[schema(example = "Jane Doe")]
    pub full_name: Option<String>,
    /// Role.
    pub role: RoleDto,
    /// Inactive users cannot sign in.
    pub is_active: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Last sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id.0,
            username: user.username.as_str().to_owned(),
            email: user.email.map(|email| email.as_str().to_owned()),
            full_name: user.full_name.map(|name| name.as_str().to_owned()),
            role: user.role.into(),
            is_active: user.is_active,
            created_at: user.created_at,
            updated_at: user.updated_at,
            last_login_at: user.last_login_at,
        }
    }
}
