use actix_web::{HttpResponse, delete, get, post, put, web};
use slimrmm_domain::tenancy::{ClientId, ClientSort, SiteSort, TenancyService, TenantName};

use super::{NameBody, NoFilter};
use crate::dto::ok_with_message;
use crate::dto::rules::parsed;
use crate::dto::{ApiResponse, ClientResponse, Null, PageResponse, SiteResponse, created, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, ListParams, ListParamsDoc, Read, ValidJson};

/// List the clients you can see, each with its number of sites and its agents' counts
/// (online, offline, overdue, pending, open alerts); `search` matches the name, `sort_by` is
/// `name` (default) or `created_at`.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["viewer"])),
    params(ListParamsDoc<ClientSort>),
    responses(
        (status = 200, body = ApiResponse<PageResponse<ClientResponse>>),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_clients(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Read>,
    params: ListParams<ClientSort, NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_query().map_filter(|_| ());
    let page = tenancy.list_clients(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, ClientResponse::from)))
}

/// Add a client (admins of every client).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["admin"])),
    request_body = NameBody,
    responses(
        (status = 201, body = ApiResponse<ClientResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "Name taken (`CLIENT_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("")]
pub async fn create_client(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Global<Administer>>,
    body: ValidJson<NameBody>,
) -> Result<HttpResponse, ApiError> {
    let name = parsed("name", TenantName::parse(&body.0.name))?;
    let client = tenancy.create_client(&caller.actor, name).await?;
    Ok(created(ClientResponse::from(client)))
}

/// One client with its counts (404 outside your clients).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["viewer"])),
    params(("id" = i64, Path, description = "Client id")),
    responses(
        (status = 200, body = ApiResponse<ClientResponse>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_client(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Read>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let client = tenancy
        .get_client(&caller.actor, ClientId(id.into_inner()))
        .await?;
    Ok(ok(ClientResponse::from(client)))
}

/// Rename a client (admins of every client).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "Client id")),
    request_body = NameBody,
    responses(
        (status = 200, body = ApiResponse<ClientResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Name taken (`CLIENT_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/{id}")]
pub async fn rename_client(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Global<Administer>>,
    id: web::Path<i64>,
    body: ValidJson<NameBody>,
) -> Result<HttpResponse, ApiError> {
    let name = parsed("name", TenantName::parse(&body.0.name))?;
    let client = tenancy
        .rename_client(&caller.actor, ClientId(id.into_inner()), name)
        .await?;
    Ok(ok(ClientResponse::from(client)))
}

/// Delete a client with its sites and their enrollment tokens (admins of every client).
/// Refused with 409 `CLIENT_NOT_EMPTY` while it has agents: move or delete them first.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "Client id")),
    responses(
        (status = 200, body = ApiResponse<Null>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Agents remain (`CLIENT_NOT_EMPTY`)", body = ErrorBody),
    )
)]
#[delete("/{id}")]
pub async fn delete_client(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Global<Administer>>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    tenancy
        .delete_client(&caller.actor, ClientId(id.into_inner()))
        .await?;
    Ok(ok_with_message(Null, "Client deleted"))
}

/// A client's sites with their agents' counts (404 outside your clients); `search` matches
/// the name, `sort_by` is `name` (default) or `created_at`.
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["viewer"])),
    params(("id" = i64, Path, description = "Client id"), ListParamsDoc<SiteSort>),
    responses(
        (status = 200, body = ApiResponse<PageResponse<SiteResponse>>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("/{id}/sites")]
pub async fn list_sites(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Read>,
    id: web::Path<i64>,
    params: ListParams<SiteSort, NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let query = params.into_query().map_filter(|_| ());
    let page = tenancy
        .list_sites(&caller.actor, ClientId(id.into_inner()), &query)
        .await?;
    Ok(ok(PageResponse::from_page(page, SiteResponse::from)))
}

/// Add a site to a client (admins of every client).
#[utoipa::path(
    tag = "clients",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "Client id")),
    request_body = NameBody,
    responses(
        (status = 201, body = ApiResponse<SiteResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Name taken in the client (`SITE_NAME_TAKEN`)", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/{id}/sites")]
pub async fn create_site(
    tenancy: web::Data<TenancyService>,
    caller: Authorized<Global<Administer>>,
    id: web::Path<i64>,
    body: ValidJson<NameBody>,
) -> Result<HttpResponse, ApiError> {
    let name = parsed("name", TenantName::parse(&body.0.name))?;
    let site = tenancy
        .create_site(&caller.actor, ClientId(id.into_inner()), name)
        .await?;
    Ok(created(SiteResponse::from(site)))
}
