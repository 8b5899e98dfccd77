//! Liveness and readiness probes for load balancers and orchestrators.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::dto::{ApiResponse, ok};
use crate::error::{ApiError, ErrorBody};

/// What a probe found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `alive` or `ready`.
    #[schema(example = "ready")]
    pub status: &'static str,
}

/// The process is up and answering.
#[utoipa::path(tag = "health", responses((status = 200, body = ApiResponse<Health>)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    ok(Health { status: "alive" })
}

/// The process can serve requests: the database answers. 503 otherwise.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, body = ApiResponse<Health>),
        (status = 503, description = "The database is unreachable", body = ErrorBody),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if let Err(error) = state.readiness.check().await {
        tracing::warn!(error = ?error, "readiness check failed");
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "DATABASE_UNAVAILABLE",
            "the database is not reachable",
        ));
    }
    Ok(ok(Health { status: "ready" }))
}
