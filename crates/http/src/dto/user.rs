use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slimrmm_domain::tenancy::{ClientId, Scope};
use slimrmm_domain::user::{Role, User};

use crate::error::ApiError;

/// The most clients one scope may list.
pub const MAX_SCOPE_CLIENTS: usize = 1000;

/// A scope as the API reads it from `field`: `null` for every client, else the listed ones.
pub fn scope_of(field: &'static str, ids: Option<Vec<i64>>) -> Result<Scope, ApiError> {
    let Some(ids) = ids else {
        return Ok(Scope::All);
    };
    if ids.len() > MAX_SCOPE_CLIENTS {
        return Err(ApiError::invalid_field(
            field,
            format!("lists at most {MAX_SCOPE_CLIENTS} clients"),
        ));
    }
    if ids.iter().any(|id| *id < 1) {
        return Err(ApiError::invalid_field(field, "client ids are positive"));
    }
    Ok(Scope::clients(ids.into_iter().map(ClientId)))
}
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
    /// The clients the role applies to; `null` for every client (present and future).
    #[schema(example = json!(null))]
    pub client_ids: Option<Vec<i64>>,
    /// A service account, whose only credentials are API keys.
    pub service_account: bool,
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
            client_ids: user.scope.ids(),
            service_account: user.service_account,
            is_active: user.is_active,
            created_at: user.created_at,
            updated_at: user.updated_at,
            last_login_at: user.last_login_at,
        }
    }
}
