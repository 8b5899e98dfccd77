use actix_web::{HttpResponse, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use slimrmm_domain::agent::Tags;
use slimrmm_domain::enrollment::EnrollmentService;
use slimrmm_domain::enrollment::{CreateTokenRequest, TokenName};
use slimrmm_domain::tenancy::SiteId;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rules::{self, parsed};
use crate::dto::{
    ApiResponse, CreatedEnrollmentTokenResponse, EnrollmentTokenResponse, created, no_store,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, ValidJson};

/// A new enrollment token.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenBody {
    /// What it is for, 1 to 128 characters.
    #[validate(custom(function = "rules::display_name"))]
    #[schema(example = "Berlin office")]
    pub name: String,
    /// When it stops working (RFC 3339, in the future); never when absent.
    pub expires_at: Option<DateTime<Utc>>,
    /// How many agents it may enroll; unlimited when absent.
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub max_uses: Option<u32>,
    /// Approve its agents at once (they get their certificate in the registration answer).
    pub auto_approve: bool,
    /// Tags for every agent it enrolls.
    #[validate(custom(function = "rules::tags"))]
    #[serde(default)]
    pub tags: Vec<String>,
    /// The site its agents land in; absent, the server's first site (the `Default` site made
    /// at installation, unless it was deleted).
    #[validate(range(min = 1))]
    #[schema(minimum = 1)]
    pub site_id: Option<i64>,
}

/// Create an enrollment token (admins). The secret is in this answer only.
#[utoipa::path(
    tag = "enrollment-tokens",
    security(("bearer" = ["admin"])),
    request_body = CreateTokenBody,
    responses(
        (status = 201, body = ApiResponse<CreatedEnrollmentTokenResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[post("")]
pub async fn create_token(
    enrollment: web::Data<EnrollmentService>,
    caller: Authorized<Global<Administer>>,
    body: ValidJson<CreateTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(body) = body;
    let request = CreateTokenRequest {
        name: parsed("name", TokenName::parse(&body.name))?,
        auto_approve: body.auto_approve,
        tags: parsed("tags", Tags::parse(&body.tags))?,
        max_uses: body.max_uses,
        expires_at: body.expires_at,
        site: body.site_id.map(SiteId),
    };
    let new = enrollment.create_token(&caller.actor, request).await?;
    let response = CreatedEnrollmentTokenResponse {
        token: new.secret.expose().to_owned(),
        details: EnrollmentTokenResponse::from(new.token),
    };
    Ok(no_store(created(response)))
}
