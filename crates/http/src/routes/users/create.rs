use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use slimrmm_domain::user::UserService;
use slimrmm_domain::user::{CreateUserRequest, Email, FullName, Password, Username};
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rules::{self, parsed};
use crate::dto::{ApiResponse, RoleDto, UserResponse, created, scope_of};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, SignedIn, ValidJson};

fn default_role() -> RoleDto {
    RoleDto::Viewer
}

fn default_active() -> bool {
    true
}

/// A new user.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserBody {
    /// 3 to 64 of `[A-Za-z0-9_.-]`, unique without regard to case.
    #[validate(custom(function = "rules::username"))]
    #[schema(
        example = "jane.doe",
        min_length = 3,
        max_length = 64,
        pattern = "^[A-Za-z0-9_.-]+$"
    )]
    pub username: String,
    /// A valid address, unique without regard to case.
    #[validate(custom(function = "rules::email"))]
    #[schema(example = "jane@example.com")]
    pub email: String,
    /// Display name, up to 128 characters.
    #[validate(custom(function = "rules::full_name"))]
    pub full_name: Option<String>,
    /// Defaults to `viewer`.
    #[serde(default = "default_role")]
    pub role: RoleDto,
    /// 12 to 256 characters; required, except for a service account, which has none.
    #[validate(custom(function = "rules::new_password"))]
    #[schema(min_length = 12, max_length = 256)]
    pub password: Option<String>,
    /// A service account: it cannot sign in; admins of every client give it API keys
    /// (`POST /api/v1/users/{id}/api-keys`). Defaults to `false`.
    #[serde(default)]
    pub service_account: bool,
    /// Defaults to `true`.
    #[serde(default = "default_active")]
    pub is_active: bool,
    /// The clients the role applies to (at most 1,000); absent or `null` for every client.
    /// Only users of every client manage users, integrations, clients, enrollment, policies,
    /// the script library and the audit log.
    #[schema(max_items = 1000)]
    pub client_ids: Option<Vec<i64>>,
}

impl CreateUserBody {
    fn into_domain(self) -> Result<CreateUserRequest, ApiError> {
        Ok(CreateUserRequest {
            username: parsed("username", Username::parse(&self.username))?,
            email: Some(parsed("email", Email::parse(&self.email))?),
            full_name: self
                .full_name
                .as_deref()
                .map(|name| parsed("full_name", FullName::parse(name)))
                .transpose()?,
            role: self.role.into(),
            scope: scope_of("client_ids", self.client_ids)?,
            is_active: self.is_active,
            password: self
                .password
                .map(|password| parsed("password", Password::parse(password)))
                .transpose()?,
            service_account: self.service_account,
        })
    }
}

/// Create a user (admins).
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["admin"])),
    request_body = CreateUserBody,
    responses(
        (status = 201, body = ApiResponse<UserResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "Username or email taken (`USERNAME_TAKEN`, `EMAIL_TAKEN`)", body = ErrorBody),
        (status = 422, description = "A field is invalid", body = ErrorBody),
    )
)]
#[post("")]
pub async fn create_user(
    users: web::Data<UserService>,
    caller: Authorized<SignedIn<Global<Administer>>>,
    body: ValidJson<CreateUserBody>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0.into_domain()?;
    let user = users.create(&caller.actor, request).await?;
    Ok(created(UserResponse::from(user)))
}
