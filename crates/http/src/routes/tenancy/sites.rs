use actix_web::{HttpResponse, delete, get, put, web};
use slimrmm_domain::tenancy::{SiteId, TenancyService, TenantName};

use super::NameBody;
use crate::dto::rules::parsed;
use crate::dto::{ApiResponse, Null, SiteResponse, ok, ok_with_message};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, Read, ValidJson};

/// One site with its agents' counts (404 outside your clients).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["viewer"])),
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, body = ApiResponse<SiteResponse>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_site(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Read>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let site = tenancy
        .get_site(&caller.actor, SiteId(id.into_inner()))
        .await?;
    Ok(ok(SiteResponse::from(site)))
}

/// Rename a site (admins of every client).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "Site id")),
    request_body = NameBody,
    responses(
        (status = 200, body = ApiResponse<SiteResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Name taken in the client (`SITE_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/{id}")]
pub async fn rename_site(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Global<Administer>>,
    id: web::Path<i64>,
    body: ValidJson<NameBody>,
) -> Result<HttpResponse, ApiError> {
    let name = parsed("name", TenantName::parse(&body.0.name))?;
    let site = tenancy
        .rename_site(&caller.actor, SiteId(id.into_inner()), name)
        .await?;
    Ok(ok(SiteResponse::from(site)))
}

/// Delete a site with its enrollment tokens (admins of every client). Refused with 409
/// `SITE_NOT_EMPTY` while it has agents: move or delete them first.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "Site id")),
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Agents remain (`SITE_NOT_EMPTY`)", body = ErrorBody),
    )
)]
#[delete("/{id}")]
pub async fn delete_site(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Global<Administer>>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    tenancy
        .delete_site(&caller.actor, SiteId(id.into_inner()))
        .await?;
    Ok(ok_with_message(Null, "Site deleted"))
}
