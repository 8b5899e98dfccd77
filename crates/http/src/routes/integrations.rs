//! `/api/v1/integrations` (admins): SMTP and Pushover, and `/api/v1/notifications`: the
//! outbox.

use actix_web::{HttpResponse, get, post, put, web};
use secrecy::SecretString;
use serde::Deserialize;
use slimrmm_domain::notification::IntegrationService;
use slimrmm_domain::notification::{
    Channel, DeliveryStatus, NotificationKind, OutboxFilter, OutboxSort, PushoverInput, SmtpInput,
};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::{
    ApiResponse, IntegrationResponse, OutboxEntryResponse, PageResponse, TestResultResponse, ok,
};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Administer, Authorized, Global, ListParams, ListParamsDoc, ValidJson};

/// SMTP settings. Alerts go to `recipients`; a password-reset mail goes to its user only.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpBody {
    /// On or off.
    pub enabled: bool,
    /// Host name or address.
    #[schema(example = "smtp.example.com")]
    pub host: String,
    /// Port (587 for STARTTLS, 465 for TLS, 25 for a local relay).
    #[schema(example = 587, minimum = 1, maximum = 65535)]
    pub port: i64,
    /// `starttls` (required: a server that does not offer it is refused), `tls`, or `none`.
    #[schema(example = "starttls", pattern = "^(starttls|tls|none)$")]
    pub security: String,
    /// Login, if the server wants one.
    pub username: Option<String>,
    /// Its password; leave it out to keep the stored one. Never returned.
    #[schema(value_type = Option<String>)]
    pub password: Option<SecretString>,
    /// Sender address.
    #[schema(example = "rmm@example.com")]
    pub from_address: String,
    /// Sender name.
    pub from_name: Option<String>,
    /// Who receives alerts.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Kinds received (`agent_offline`, `agent_overdue`, `threshold_alert`,
    /// `agent_pending_approval`, `run_failed`; default all).
    pub events: Option<Vec<String>>,
    /// `info`, `warning` (default) or `critical`.
    pub min_severity: Option<String>,
}

/// Pushover settings.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushoverBody {
    /// On or off.
    pub enabled: bool,
    /// The application's API token (30 letters and digits); leave it out to keep the stored
    /// one. Never returned.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9]{30}$")]
    pub app_token: Option<SecretString>,
    /// The user or group key (30 letters and digits); leave it out to keep the stored one.
    /// Never returned.
    #[schema(value_type = Option<String>, pattern = "^[A-Za-z0-9]{30}$")]
    pub user_key: Option<SecretString>,
    /// Only this device.
    pub device: Option<String>,
    /// -2 (silent) to 1 (high); default 0.
    #[schema(minimum = -2, maximum = 1)]
    pub priority: Option<i64>,
    /// Kinds received (as for SMTP).
    pub events: Option<Vec<String>>,
    /// `info`, `warning` (default) or `critical`.
    pub min_severity: Option<String>,
}

/// Both integrations, configured or not, with the last delivery result.
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = ["admin"])),
    responses(
        (status = 200, body = ApiResponse<Vec<IntegrationResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_integrations(
    integrations: web::Data<IntegrationService>,
    caller: Authorized<Global<Administer>>,
) -> Result<HttpResponse, ApiError> {
    let integrations = integrations.list(&caller.actor).await?;
    Ok(ok(integrations
        .into_iter()
        .map(|(channel, integration)| IntegrationResponse::new(channel, integration))
        .collect::<Vec<_>>()))
}

/// Configure SMTP (admins).
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = ["admin"])),
    request_body = SmtpBody,
    responses(
        (status = 200, body = ApiResponse<IntegrationResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/smtp")]
pub async fn put_smtp(
    integrations: web::Data<IntegrationService>,
    caller: Authorized<Global<Administer>>,
    body: ValidJson<SmtpBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let input = SmtpInput {
        enabled: body.enabled,
        host: body.host,
        port: body.port,
        security: body.security,
        username: body.username,
        password: body.password,
        from_address: body.from_address,
        from_name: body.from_name,
        recipients: body.recipients,
        events: body.events,
        min_severity: body.min_severity,
    };
    let integration = integrations.put_smtp(&caller.actor, input).await?;
    Ok(ok(IntegrationResponse::new(
        Channel::Smtp,
        Some(integration),
    )))
}

/// Configure Pushover (admins).
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = ["admin"])),
    request_body = PushoverBody,
    responses(
        (status = 200, body = ApiResponse<IntegrationResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[put("/pushover")]
pub async fn put_pushover(
    integrations: web::Data<IntegrationService>,
    caller: Authorized<Global<Administer>>,
    body: ValidJson<PushoverBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let input = PushoverInput {
        enabled: body.enabled,
        app_token: body.app_token,
        user_key: body.user_key,
        device: body.device,
        priority: body.priority,
        events: body.events,
        min_severity: body.min_severity,
    };
    let integration = integrations.put_pushover(&caller.actor, input).await?;
    Ok(ok(IntegrationResponse::new(
        Channel::Pushover,
        Some(integration),
    )))
}

/// Send a test message through an integration now (enabled or not) and report the outcome;
/// `delivered: false` carries the server's error text.
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = ["admin"])),
    params(("name" = String, Path, description = "`smtp` or `pushover`")),
    responses(
        (status = 200, body = ApiResponse<TestResultResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not configured (`NOT_CONFIGURED`)", body = ErrorBody),
    )
)]
#[post("/{name}/test")]
pub async fn test_integration(
    integrations: web::Data<IntegrationService>,
    caller: Authorized<Global<Administer>>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let channel = name
        .parse::<Channel>()
        .map_err(|_| ApiError::not_found("no such integration: use smtp or pushover"))?;
    let outcome = integrations.test(&caller.actor, channel).await?;
    Ok(ok(TestResultResponse::from(outcome)))
}

/// Filters of the outbox.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilterParams {
    /// Only this kind: `password_reset`, `agent_offline`, `agent_overdue`, `threshold_alert`,
    /// `agent_pending_approval` or `run_failed`.
    #[param(
        pattern = "^(password_reset|agent_offline|agent_overdue|threshold_alert|agent_pending_approval|run_failed)$"
    )]
    pub kind: Option<String>,
    /// Only notifications with a delivery `pending`, `sent` or `dead`.
    #[param(pattern = "^(pending|sent|dead)$")]
    pub status: Option<String>,
}

impl OutboxFilterParams {
    fn into_domain(self) -> Result<OutboxFilter, ApiError> {
        let kind = self
            .kind
            .map(|kind| {
                kind.parse::<NotificationKind>()
                    .map_err(|message| ApiError::invalid_field("kind", message))
            })
            .transpose()?;
        let status = match self.status.as_deref() {
            None => None,
            Some("pending") => Some(DeliveryStatus::Pending),
            Some("sent") => Some(DeliveryStatus::Sent),
            Some("dead") => Some(DeliveryStatus::Dead),
            Some(_) => {
                return Err(ApiError::invalid_field(
                    "status",
                    "must be one of: pending, sent, dead",
                ));
            }
        };
        Ok(OutboxFilter { kind, status })
    }
}

/// The outbox (admins): every notification, where it was routed and how each delivery went;
/// `sort_by` is `created_at` (`sort_order=desc` for the newest first).
#[utoipa::path(
    tag = "integrations",
    security(("bearer" = ["admin"])),
    params(ListParamsDoc<OutboxSort>, OutboxFilterParams),
    responses(
        (status = 200, body = ApiResponse<PageResponse<OutboxEntryResponse>>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
#[get("")]
pub async fn list_notifications(
    integrations: web::Data<IntegrationService>,
    caller: Authorized<Global<Administer>>,
    params: ListParams<OutboxSort, OutboxFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params
        .into_query()
        .try_map_filter(OutboxFilterParams::into_domain)?;
    let page = integrations.outbox(&caller.actor, &query).await?;
    Ok(ok(PageResponse::from_page(page, OutboxEntryResponse::from)))
}
