use actix_web::{HttpResponse, put, web};
use serde::Deserialize;
use slimrmm_domain::user::UserService;
use slimrmm_domain::user::{
    Email, FullName, Password, PasswordChange, UpdateUserRequest, UserId, Username,
};
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rules::{self, parsed};
use crate::dto::{ApiResponse, RoleDto, UserResponse, ok, scope_of};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Read, SignedIn, ValidJson};

/// Parses a field that may be absent, `null` (clear it) or a value.
fn clearable<T, E: std::fmt::Display>(
    field: &'static str,
    value: Option<Option<String>>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<Option<T>>, ApiError> {
    match value {
        None => Ok(None),
        Some(None) => Ok(Some(None)),
        Some(Some(text)) => Ok(Some(Some(parsed(field, parse(&text))?))),
    }
}

/// Changes to a user; absent fields stay as they are, `null` clears `email` or `full_name`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserBody {
    /// New username (admins only).
    #[validate(custom(function = "rules::username"))]
    #[schema(min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9_.-]+$")]
    pub username: Option<String>,
    /// New email, or `null` to remove it.
    #[validate(custom(function = "rules::email"))]
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// New display name, or `null` to remove it.
    #[validate(custom(function = "rules::full_name"))]
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<String>)]
    pub full_name: Option<Option<String>>,
    /// New role (admins only; the last active admin cannot be demoted).
    pub role: Option<RoleDto>,
    /// Activate or deactivate (admins only). Deactivating ends the user's sessions.
    pub is_active: Option<bool>,
    /// The clients the role applies to (admins only; at most 1,000), or `null` for every
    /// client. The last active admin of every client cannot be limited.
    #[serde(default, deserialize_with = "rules::present")]
    #[schema(value_type = Option<Vec<i64>>, max_items = 1000)]
    pub client_ids: Option<Option<Vec<i64>>>,
    /// New password, 12 to 256 characters. Ends the user's other sessions.
    #[validate(custom(function = "rules::new_password"))]
    #[schema(min_length = 12, max_length = 256)]
    pub password: Option<String>,
    /// Required when changing your own password.
    pub current_password: Option<String>,
}

impl UpdateUserBody {
    /// The names of the fields given (never their values: one may be a password).
    fn into_domain(self) -> Result<UpdateUserRequest, ApiError> {
        let email = clearable("email", self.email, Email::parse)?;
        let full_name = clearable("full_name", self.full_name, FullName::parse)?;
        let password = match self.password {
            Some(new) => Some(PasswordChange {
                new: parsed("password", Password::parse(new))?,
                current: self.current_password.and_then(Password::candidate),
            }),
            None if self.current_password.is_some() => {
                return Err(ApiError::invalid_field(
                    "current_password",
                    "is only used together with password",
                ));
            }
            None => None,
        };
        Ok(UpdateUserRequest {
            username: self
                .username
                .as_deref()
                .map(|name| parsed("username", Username::parse(name)))
                .transpose()?,
            email,
            full_name,
            role: self.role.map(Into::into),
            scope: self
                .client_ids
                .map(|ids| scope_of("client_ids", ids))
                .transpose()?,
            is_active: self.is_active,
            password,
        })
    }
}

/// Update a user. Admins change anything; everyone changes their own email, full name and
/// password (with `current_password`).
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["viewer"])),
    params(("id" = i64, Path, description = "User id")),
    request_body = UpdateUserBody,
    responses(
        (status = 200, body = ApiResponse<UserResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Taken username or email, or the last active admin (`LAST_ADMIN`)", body = ErrorBody),
        (status = 422, description = "A field is invalid, or the current password is missing or wrong", body = ErrorBody),
    )
)]
#[put("/{id}")]
pub async fn update_user(
    users: web::Data<UserService>,
    caller: Authorized<SignedIn<Read>>,
    id: web::Path<i64>,
    body: ValidJson<UpdateUserBody>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0.into_domain()?;
    let user = users
        .update(&caller.actor, UserId(id.into_inner()), request)
        .await?;
    Ok(ok(UserResponse::from(user)))
}
