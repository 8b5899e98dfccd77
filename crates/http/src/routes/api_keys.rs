//! API keys: a user's own (`/api-keys`) and a service account's (`/users/{id}/api-keys`).

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use slimrmm_domain::apikey::{ApiKeyId, ApiKeyService, CreateKeyRequest, KeyName};
use slimrmm_domain::user::UserId;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rules::{self, parsed};
use crate::dto::{
    ApiKeyResponse, ApiResponse, CreatedApiKeyResponse, RoleDto, created, no_store, ok,
    ok_with_message, scope_of,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, Read, SignedIn, ValidJson};

/// A new API key.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyBody {
    /// What it is for, 1 to 128 characters.
    #[validate(custom(function = "rules::display_name"))]
    #[schema(example = "PSA sync")]
    pub name: String,
    /// The most it may do, at most its owner's role; the owner's when absent.
    pub role: Option<RoleDto>,
    /// The clients it is limited to (within its owner's; at most 1,000); its owner's when
    /// absent or `null`.
    #[schema(max_items = 1000)]
    pub client_ids: Option<Vec<i64>>,
    /// When it stops working (RFC 3339, in the future); never when absent.
    pub expires_at: Option<DateTime<Utc>>,
}

impl CreateKeyBody {
    fn into_domain(self) -> Result<CreateKeyRequest, ApiError> {
        Ok(CreateKeyRequest {
            name: parsed("name", KeyName::parse(&self.name))?,
            role: self.role.map(Into::into),
            scope: self
                .client_ids
                .map(|ids| scope_of("client_ids", Some(ids)))
                .transpose()?,
            expires_at: self.expires_at,
        })
    }
}

fn created_key(key: slimrmm_domain::apikey::CreatedKey) -> HttpResponse {
    no_store(created(CreatedApiKeyResponse {
        key: key.secret.expose().to_owned(),
        details: ApiKeyResponse::from(key.key),
    }))
}

/// Your API keys, newest first (revoked ones included). Not with an API key.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = ["viewer"])),
    responses(
        (status = 200, body = ApiResponse<Vec<ApiKeyResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API key", body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_own_keys(
    keys: web::Data<ApiKeyService>,
    caller: Authorized<SignedIn<Read>>,
) -> Result<HttpResponse, ApiError> {
    let found = keys.list(&caller.actor, None).await?;
    Ok(ok(found
        .into_iter()
        .map(ApiKeyResponse::from)
        .collect::<Vec<_>>()))
}

/// Create an API key for yourself: it acts as you, with at most your role and clients. The
/// secret is in this answer only; send it as `Authorization: Bearer <key>` or `X-API-Key`.
/// Keys cannot manage users, keys or the security policy.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = ["viewer"])),
    request_body = CreateKeyBody,
    responses(
        (status = 201, body = ApiResponse<CreatedApiKeyResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API key", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("")]
pub async fn create_own_key(
    keys: web::Data<ApiKeyService>,
    caller: Authorized<SignedIn<Read>>,
    body: ValidJson<CreateKeyBody>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0.into_domain()?;
    Ok(created_key(
        keys.create(&caller.actor, None, request).await?,
    ))
}

/// Revoke an API key, at once on every server process: your own, or any key for an admin of
/// every client.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = ["viewer"])),
    params(("id" = i64, Path, description = "Key id")),
    responses(
        (status = 200, body = ApiResponse<ApiKeyResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Called with an API key", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/{id}")]
pub async fn revoke_key(
    keys: web::Data<ApiKeyService>,
    caller: Authorized<SignedIn<Read>>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let key = keys
        .revoke(&caller.actor, ApiKeyId(id.into_inner()))
        .await?;
    Ok(ok_with_message(
        ApiKeyResponse::from(key),
        "API key revoked",
    ))
}

/// A service account's API keys (admins of every client).
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "The service account's user id")),
    responses(
        (status = 200, body = ApiResponse<Vec<ApiKeyResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a service account, or called with an API key", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}/api-keys")]
pub async fn list_account_keys(
    keys: web::Data<ApiKeyService>,
    caller: Authorized<SignedIn<Global<Administer>>>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let found = keys
        .list(&caller.actor, Some(UserId(id.into_inner())))
        .await?;
    Ok(ok(found
        .into_iter()
        .map(ApiKeyResponse::from)
        .collect::<Vec<_>>()))
}

/// Create an API key for a service account (admins of every client); within the account's
/// role and clients. The secret is in this answer only.
#[utoipa::path(
    tag = "api-keys",
    security(("bearer" = ["admin"])),
    params(("id" = i64, Path, description = "The service account's user id")),
    request_body = CreateKeyBody,
    responses(
        (status = 201, body = ApiResponse<CreatedApiKeyResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not a service account, or called with an API key", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("/{id}/api-keys")]
pub async fn create_account_key(
    keys: web::Data<ApiKeyService>,
    caller: Authorized<SignedIn<Global<Administer>>>,
    id: web::Path<i64>,
    body: ValidJson<CreateKeyBody>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0.into_domain()?;
    let key = keys
        .create(&caller.actor, Some(UserId(id.into_inner())), request)
        .await?;
    Ok(created_key(key))
}
