//! The OpenAPI document and the interactive documentation.

use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Password, Scopes,
    SecurityScheme,
};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Tag};
use utoipa_swagger_ui::SwaggerUi;

/// The document's fixed parts; utoipa-actix-web adds every route registered with `.service()`.
pub(crate) fn base() -> OpenApi {
    let bearer = SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "An access token from POST /api/v1/auth/login. An operation's security \
                 requirement names the least role it needs (viewer < technician < admin); a \
                 caller without it gets 403, whatever the request says, before anything else \
                 of the request is read.",
            ))
            .build(),
    );
    let password_flow = SecurityScheme::OAuth2(OAuth2::new([Flow::Password(Password::new(
        "/api/v1/auth/login",
        Scopes::new(),
    ))]));
    let tag = |name: &str, description: &str| {
        let mut tag = Tag::new(name);
        tag.description = Some(description.to_owned());
        tag
    };
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("SlimRMM API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Remote monitoring and management. Successful responses are wrapped as \
                     {data, message, status: \"ok\"}; errors as {detail, status: \"error\", code}.",
                ))
                .license(Some(utoipa::openapi::License::new(env!(
                    "CARGO_PKG_LICENSE"
                ))))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("bearer", bearer)
                .security_scheme("oauth2", password_flow)
                .security_scheme(
                    "access_token_query",
                    SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                        "token",
                        "An access token, for WebSocket clients that cannot send headers",
                    ))),
                )
                .security_scheme(
                    "registration_token",
                    SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                        "X-Registration-Token",
                        "The agent's registration token (with X-Agent-UUID)",
                    ))),
                )
                .build(),
        ))
        .tags(Some([
            tag(
                "auth",
                "Sign-in (with a second factor), tokens, password reset, your own second factor",
            ),
            tag("users", "Users and roles"),
            tag(
                "api-keys",
                "API keys for integrations: your own, and service accounts'",
            ),
            tag("agents", "Managed machines"),
            tag(
                "clients",
                "Clients (the MSP's customers) and their sites (/sites), with their agents' counts",
            ),
            tag("enrollment-tokens", "Tokens that let agents enroll"),
            tag("executions", "Commands sent to agents and their results"),
            tag("alerts", "Alerts raised by agents"),
            tag("audit", "Who did what, from where (admins)"),
            tag("settings", "The server's security policy (admins)"),
            tag(
                "scripts",
                "The script library and running scripts on agents",
            ),
            tag(
                "policies",
                "Patch-management policies, their runs (/policy-runs) and scans",
            ),
            tag("events", "Live events for dashboards (WebSocket)"),
            tag("agent", "Endpoints the SlimRMM agent calls"),
            tag("health", "Liveness and readiness probes"),
        ]))
        .build()
}

/// An error answer with the envelope as its body.
fn error_answer(description: &str) -> utoipa::openapi::ResponseBuilder {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    )
}

/// Every `/api/v1` operation can answer 429 (`RATE_LIMITED`, with `Retry-After`), and every
/// answer carries the `X-RateLimit-*` headers: documented once here for all of them.
pub(crate) fn document_rate_limits(document: &mut OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::{RefOr, Type};

    let integer = |description: &str| {
        HeaderBuilder::new()
            .schema(Some(
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .build(),
            ))
            .description(Some(description))
            .build()
    };
    let limited = error_answer(
        "Over the client's budget (`RATE_LIMITED`); `Retry-After` says how many seconds to wait",
    )
    .header("Retry-After", integer("Seconds to wait"))
    .header(
        "X-RateLimit-Limit",
        integer("Requests per minute in this budget"),
    )
    .header("X-RateLimit-Remaining", integer("Requests left now"))
    .header(
        "X-RateLimit-Reset",
        integer("Unix seconds when the budget is whole again"),
    )
    .build();
    for_api_operations(document, |_, operation| {
        operation
            .responses
            .responses
            .entry("429".to_owned())
            .or_insert_with(|| RefOr::T(limited.clone()));
    });
}

/// Calls `visit` with every `/api/v1` operation and its path.
fn for_api_operations(
    document: &mut OpenApi,
    mut visit: impl FnMut(&str, &mut utoipa::openapi::path::Operation),
) {
    for (path, item) in document.paths.paths.iter_mut() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            visit(path, operation);
        }
    }
}

/// The errors any operation can answer for reasons outside its own logic, documented once
/// here: a body that is not JSON (415), malformed (400), too large (413) or too slow (408) or
/// whose fields break a rule (422); an id in the path that is no resource's (404); a bearer
/// token whose user must first enrol a second factor (403); and the database unavailable or the
/// server saturated (503, with `Retry-After`).
pub(crate) fn document_common_errors(document: &mut OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;

    let error = |description: &str| RefOr::T(error_answer(description).build());
    for_api_operations(document, |path, operation| {
        let has_body = operation.request_body.is_some();
        let parameters = operation.parameters.as_deref().unwrap_or_default();
        let in_path = parameters
            .iter()
            .any(|parameter| {
                matches!(parameter, RefOr::T(parameter) if parameter.parameter_in == ParameterIn::Path)
            });
        let checked = has_body || !parameters.is_empty();
        let responses = &mut operation.responses.responses;
        let mut add = |status: &str, description: &str| {
            responses
                .entry(status.to_owned())
                .or_insert_with(|| error(description));
        };
        if has_body {
            add("400", "The body is not valid JSON (`MALFORMED_JSON`)");
            add("408", "The body did not arrive in time (`REQUEST_TIMEOUT`)");
            add("413", "The body is too large (`PAYLOAD_TOO_LARGE`)");
            add("415", "The body is not JSON (`UNSUPPORTED_MEDIA_TYPE`)");
        }
        if checked {
            add(
                "422",
                "A field or parameter is invalid; `errors` names each",
            );
        }
        let bearer = operation
            .security
            .as_ref()
            .and_then(|security| serde_json::to_string(security).ok())
            .is_some_and(|security| security.contains("\"bearer\""));
        // Sign-in, the caller's profile and their second factor stay open to everyone.
        if bearer && !path.starts_with("/api/v1/auth/") {
            add(
                "403",
                "Your role may not do this, or the security policy requires a second factor \
                 you have not turned on yet (`TWO_FACTOR_REQUIRED`)",
            );
        }
        if in_path {
            add(
                "404",
                "No such resource (also when the id in the path is not valid)",
            );
        }
        add(
            "503",
            "The database is unavailable (`SERVICE_UNAVAILABLE`) or the server is saturated \
             (`SERVER_BUSY`); `Retry-After` says when to try again",
        );
    });
}

async fn openapi_json(document: web::Data<OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(document.get_ref())
}

/// ReDoc's bundle, vendored (`assets/redoc`): the docs need no CDN.
const REDOC_JS: &[u8] = include_bytes!("../assets/redoc/redoc.standalone.js");

const REDOC_PAGE: &str = r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>SlimRMM API reference</title>
    <style>
      body { margin: 0; padding: 0; }
      /* ReDoc's footer credit links to Redocly with a logo from its CDN: not offline. */
      a[href*="redocly.com"] { display: none !important; }
    </style>
  </head>
  <body>
    <redoc spec-url="/openapi.json"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>
  </body>
</html>
"#;

/// What the documentation pages may load: only what this server serves (and inline styles,
/// data images and ReDoc's blob workers). A browser refuses anything else before asking for
/// it, so the docs work, and leak nothing, on a server without internet.
pub(crate) const DOCS_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self' 'unsafe-inline'; font-src 'self' data:; worker-src 'self' blob:; \
     script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

async fn redoc_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            actix_web::http::header::CONTENT_SECURITY_POLICY,
            DOCS_POLICY,
        ))
        .body(REDOC_PAGE)
}

async fn redoc_js() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/javascript; charset=utf-8")
        .insert_header((
            actix_web::http::header::CACHE_CONTROL,
            "public, max-age=86400",
        ))
        .body(REDOC_JS)
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// `/openapi.json`, Swagger UI at `/docs` and ReDoc at `/redoc` (assets vendored into the
/// binary: no CDN).
pub(crate) fn docs(document: OpenApi) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config
            .app_data(web::Data::new(document))
            .route("/openapi.json", web::get().to(openapi_json))
            .route("/docs", web::get().to(docs_redirect))
            .route("/redoc", web::get().to(redoc_page))
            .route("/redoc/redoc.standalone.js", web::get().to(redoc_js))
            .service(
                SwaggerUi::new("/docs/{_:.*}").config(
                    utoipa_swagger_ui::Config::from("/openapi.json")
                        .persist_authorization(true)
                        // The public validator would receive the document: never.
                        .validator_url("none"),
                ),
            );
    }
}
