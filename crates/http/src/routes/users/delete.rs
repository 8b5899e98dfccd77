use actix_web::{HttpResponse, delete, web};
use slimrmm_domain::user::UserId;
use slimrmm_domain::user::UserService;

use crate::dto::{ApiResponse, Null, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, SignedIn};

/// Delete a user and their sessions (admins). Nobody deletes themselves or the last active
/// admin.
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Yourself or the last active admin (`CANNOT_DELETE_SELF`, `LAST_ADMIN`)", body = ErrorBody),
    )
)]
#[delete("/{id}")]
pub async fn delete_user(
    users: web::Data<UserService>,
    caller: Authorized<SignedIn<Global<Administer>>>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = UserId(id.into_inner());
    users.delete(&caller.actor, user).await?;
    Ok(ok_with_message(Null, "User deleted"))
}
