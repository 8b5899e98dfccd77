//! Every operation in the OpenAPI document that declares bearer security refuses callers
//! without a token, and the unauthenticated ones are exactly the public whitelist. A new
//! endpoint that forgets its `Authorized<..>` extractor, or its security declaration, fails here.
//!
//! Authorization comes before validation: whatever the path, query and body say, a caller
//! without a valid token gets 401 and a caller whose role is below the operation's declared
//! least role gets 403, so neither learns anything of a request's shape.

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use secrecy::SecretString;
use serde_json::Value;
use slimrmm_domain::auth::{TokenClaims, TokenIssuer};

use crate::helpers::{config_for, spawn, spawn_with};

const PUBLIC: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /api/v1/ws/agent",
    "POST /api/v1/agents/register",
    "POST /api/v1/enrollment/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/login/second-factor",
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

const JWT_SECRET: &str = "a test signing key that is long enough for HS256";
const ROLES: [&str; 3] = ["viewer", "technician", "admin"];

/// The same token, expired an hour ago (its session is still open).
fn expired(token: &str) -> String {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    let issuer = slimrmm_auth::JwtIssuer::new(&SecretString::from(JWT_SECRET)).unwrap();
    let now = chrono::Utc::now();
    issuer
        .issue(&TokenClaims {
            token_id: uuid::Uuid::new_v4(),
            session_id: slimrmm_domain::auth::SessionId(
                claims["sid"].as_str().unwrap().parse().unwrap(),
            ),
            user_id: slimrmm_domain::user::UserId(claims["sub"].as_str().unwrap().parse().unwrap()),
            kind: slimrmm_domain::auth::TokenKind::Access,
            issued_at: now - chrono::TimeDelta::hours(2),
            expires_at: now - chrono::TimeDelta::hours(1),
        })
        .unwrap()
}

/// Requests to `path` that are wrong in every way a request can be wrong: an unparsable path
/// id, a query with every list parameter out of range, and a body that is empty, malformed or
/// of the wrong type.
fn junk(method: &Method, path: &str) -> Vec<TestRequest> {
    let uri = format!(
        "{}?page=0&per_page=100000&sort_by=nope&sort_order=sideways&status=bogus&since=yesterday&resolution=2m&uuid=x",
        path.replace("{id}", "not-an-id")
            .replace("{uuid}", "not-a-uuid")
            .replace("{name}", "not-a-name")
    );
    let request = || TestRequest::default().method(method.clone()).uri(&uri);
    vec![
        request().set_json(serde_json::json!({})),
        request()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload("{\"half\": "),
        request()
            .insert_header((header::CONTENT_TYPE, "text/plain"))
            .set_payload("junk"),
        request(),
    ]
}

#[actix_web::test]
async fn callers_without_the_right_learn_nothing_about_a_requests_shape() {
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = config_for(&db);
    config.jwt_secret = Some(SecretString::from(JWT_SECRET));
    let app = spawn_with(db, config).await;
    let mut tokens = Vec::new();
    for role in ROLES {
        let token = if role == "admin" {
            app.admin().await
        } else {
            app.user_with_role(&format!("{role}1"), role).await.1
        };
        tokens.push((role, token));
    }
    let stale = expired(&tokens[2].1);
    assert_eq!(app.me(&stale).await.code(), "TOKEN_EXPIRED");
    let document = app.send(TestRequest::get().uri("/openapi.json")).await.body;
    let mut checked = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let Some(least) = crate::helpers::least_role(operation) else {
                continue;
            };
            let rank = ROLES
                .iter()
                .position(|role| *role == least)
                .unwrap_or_else(|| panic!("{name}: unknown role {least}"));
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for (variant, request) in junk(&method, path).into_iter().enumerate() {
                let reply = app.send(request).await;
                assert_eq!(
                    reply.status,
                    StatusCode::UNAUTHORIZED,
                    "{name} (junk {variant}) without a token: {}",
                    reply.body
                );
            }
            for (token, expected) in [
                (stale.as_str(), "TOKEN_EXPIRED"),
                ("not.a.token", "INVALID_TOKEN"),
            ] {
                for (variant, request) in junk(&method, path).into_iter().enumerate() {
                    let request =
                        request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
                    let reply = app.send(request).await;
                    assert_eq!(
                        (reply.status, reply.body["code"].as_str()),
                        (StatusCode::UNAUTHORIZED, Some(expected)),
                        "{name} (junk {variant}): {}",
                        reply.body
                    );
                }
            }
            for (role, token) in &tokens[..rank] {
                for (variant, request) in junk(&method, path).into_iter().enumerate() {
                    let request =
                        request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
                    let reply = app.send(request).await;
                    assert_eq!(
                        reply.status,
                        StatusCode::FORBIDDEN,
                        "{name} (junk {variant}) as a {role}: {}",
                        reply.body
                    );
                }
            }
            for (role, token) in &tokens[rank..] {
                let request = junk(&method, path).remove(0);
                let request =
                    request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
                let reply = app.send(request).await;
                assert!(
                    reply.status != StatusCode::FORBIDDEN
                        && reply.status != StatusCode::UNAUTHORIZED,
                    "{name} as a {role} (the declared least role is {least}): {}",
                    reply.body
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} operations declare a role");
}
