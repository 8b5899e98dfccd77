use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{ErrorHandlers, from_fn};
use actix_web::{App, Error, web};
use tracing_actix_web::TracingLogger;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::{AppExt, scope};

use crate::error::{ApiError, json_config, path_config, query_config};
use crate::extract::authenticate;
use crate::middleware::{
    RouteMethods, body_deadline, error_envelope, head_as_get, normalize_path, rate_limit, unrouted,
};
use crate::{AppState, metrics, openapi, routes};

/// The whole API as an actix `App`, and its OpenAPI document.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let (app, mut document) = routes_and_document(state.clone());
    openapi::document_rate_limits(&mut document);
    openapi::document_common_errors(&mut document);
    let routes = web::Data::new(RouteMethods::of(&document));
    let debug = state.settings.debug;
    let metrics = state.settings.metrics;
    app.app_data(routes)
        .configure(|config| {
            if debug {
                openapi::docs(document)(config);
            }
            if metrics {
                config.service(metrics::serve_metrics);
            }
        })
        .default_service(web::to(unrouted))
        .wrap(from_fn(docs_policy))
        .wrap(from_fn(authenticate))
        .wrap(from_fn(body_deadline))
        .wrap(ErrorHandlers::new().default_handler(error_envelope))
        .wrap(from_fn(rate_limit))
        .wrap(from_fn(normalize_path))
        .wrap(from_fn(head_as_get))
        .wrap(from_fn(metrics::record))
        .wrap(TracingLogger::default())
}

/// Swagger UI's pages get the documentation's content security policy (ReDoc's page sets its
/// own).
async fn docs_policy(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let docs = req.path().starts_with("/docs");
    let mut response = next.call(req).await?;
    if docs {
        response.headers_mut().insert(
            actix_web::http::header::CONTENT_SECURITY_POLICY,
            actix_web::http::header::HeaderValue::from_static(openapi::DOCS_POLICY),
        );
    }
    Ok(response)
}

/// Only `/metrics`, for an address of its own (`SLIMRMM_METRICS_BIND`).
pub fn metrics_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(web::Data::new(state))
        .service(metrics::serve_metrics)
        .default_service(web::to(not_found))
}

fn routes_and_document(
    state: AppState,
) -> (
    App<
        impl ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse<impl MessageBody>,
            Error = Error,
            InitError = (),
        >,
    >,
    OpenApi,
) {
    let body_limit = state.settings.body_limit;
    App::new()
        .into_utoipa_app()
        .openapi(openapi::base())
        // Each use-case service as app data of its own: a handler asks for the one it uses
        // (`web::Data<UserService>`), so that a handler test registers only that one.
        .app_data(web::Data::new(state.auth.clone()))
        .app_data(web::Data::new(state.users.clone()))
        .app_data(web::Data::new(state.agents.clone()))
        .app_data(web::Data::new(state.enrollment.clone()))
        .app_data(web::Data::new(state.identity.clone()))
        .app_data(web::Data::new(state.executions.clone()))
        .app_data(web::Data::new(state.telemetry.clone()))
        .app_data(web::Data::new(state.inventories.clone()))
        .app_data(web::Data::new(state.idempotency.clone()))
        .app_data(web::Data::new(state.alerts.clone()))
        .app_data(web::Data::new(state.integrations.clone()))
        .app_data(web::Data::new(state.scripts.clone()))
        .app_data(web::Data::new(state.policies.clone()))
        .app_data(web::Data::new(state.audit.clone()))
        .app_data(web::Data::new(state.tenancy.clone()))
        .app_data(web::Data::new(state.api_keys.clone()))
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(body_limit))
        .app_data(json_config().limit(body_limit))
        .app_data(query_config())
        .app_data(path_config())
        .service(routes::health::healthz)
        .service(routes::health::readyz)
        .service(scope::scope("/api/v1").configure(routes::api_v1))
        .split_for_parts()
}

/// Any path no route matches: 404 in the error envelope.
async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::for_status(actix_web::http::StatusCode::NOT_FOUND))
}
