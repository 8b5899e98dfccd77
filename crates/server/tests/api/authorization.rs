//! Every operation in the OpenAPI document that declares bearer security refuses callers
//! without a token, and the unauthenticated ones are exactly the public whitelist. A new
//! endpoint that forgets its `Authorized<..>` extractor, or its security declaration, fails here.

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;

use crate::helpers::spawn;

const PUBLIC: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /api/v1/ws/agent",
    "POST /api/v1/agents/register",
    "POST /api/v1/enrollment/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/forgot-password",
    "POST /api/v1/auth/reset-password",
];

#[actix_web::test]
async fn secured_operations_refuse_anonymous_callers() {
    let app = spawn().await;
    let document = app.send(TestRequest::get().uri("/openapi.json")).await.body;
    let mut public = Vec::new();
    let mut checked = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let secured = operation["security"]
                .as_array()
                .is_some_and(|list| !list.is_empty());
            if !secured {
                public.push(name);
                continue;
            }
            let uri = path
                .replace("{id}", "1")
                .replace("{uuid}", &uuid::Uuid::new_v4().to_string());
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let request = TestRequest::default()
                .method(method)
                .uri(&uri)
                .set_json(serde_json::json!({}));
            let reply = app.send(request).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{name} without a token: {}",
                reply.body
            );
            checked += 1;
        }
    }
    public.sort();
    let mut expected: Vec<_> = PUBLIC.iter().map(ToString::to_string).collect();
    expected.sort();
    assert_eq!(public, expected);
    assert!(checked >= 8, "only {checked} secured operations found");
}

#[actix_web::test]
async fn the_documentation_is_served_in_debug_mode() {
    let app = spawn().await;
    let docs = app.send(TestRequest::get().uri("/docs/")).await;
    assert_eq!(docs.status, StatusCode::OK);
    let document = app.send(TestRequest::get().uri("/openapi.json")).await.body;
    assert!(document["components"]["securitySchemes"]["bearer"].is_object());
    // ReDoc: the page, and its bundle served by us (no CDN).
    let page =
        actix_web::test::call_service(&app.service, TestRequest::get().uri("/redoc").to_request())
            .await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = actix_web::test::read_body(page).await;
    let html = String::from_utf8_lossy(&html);
    assert!(html.contains(r#"<redoc spec-url="/openapi.json">"#));
    assert!(html.contains(r#"src="/redoc/redoc.standalone.js""#));
    assert!(
        !html.contains("https://"),
        "the page must not load anything from the internet"
    );
    let bundle = actix_web::test::call_service(
        &app.service,
        TestRequest::get()
            .uri("/redoc/redoc.standalone.js")
            .to_request(),
    )
    .await;
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(actix_web::test::read_body(bundle).await.len() > 500_000);
}

#[actix_web::test]
async fn without_debug_there_is_no_documentation() {
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = crate::helpers::config_for(&db);
    config.debug = false;
    let app = crate::helpers::spawn_with(db, config).await;
    for path in [
        "/docs/",
        "/docs",
        "/redoc",
        "/openapi.json",
        "/redoc/redoc.standalone.js",
    ] {
        let reply = app.send(TestRequest::get().uri(path)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
    }
}
