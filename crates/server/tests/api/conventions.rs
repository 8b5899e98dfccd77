//! The conventions every endpoint follows: envelopes, status codes, trailing slashes, bodies,
//! paging, sorting.

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::spawn;

#[actix_web::test]
async fn success_and_error_envelopes() {
    let app = spawn().await;
    let admin = app.admin().await;
    let reply = app.me(&admin).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["message"], "Success");
    assert_eq!(reply.data()["username"], "admin");

    let reply = app.call(Method::GET, "/api/v1/auth/me", None, None).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "UNAUTHORIZED")
    );
    assert_eq!(
        reply.headers.get(header::WWW_AUTHENTICATE).unwrap(),
        "Bearer"
    );

    let reply = app.get("/api/v1/no-such-thing", &admin).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );
    let reply = app.call(Method::PATCH, "/healthz", None, None).await;
    assert!(reply.status.is_client_error());
    reply.code();
}

#[actix_web::test]
async fn every_route_answers_with_and_without_a_trailing_slash() {
    let app = spawn().await;
    let admin = app.admin().await;
    let bare = app.get("/api/v1/users", &admin).await;
    let slashed = app.get("/api/v1/users/", &admin).await;
    assert_eq!(
        (bare.status, slashed.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(bare.body, slashed.body);
    let me = app.get("/api/v1/auth/me/", &admin).await;
    assert_eq!(me.status, StatusCode::OK);
    let doubled = app.get("//api/v1//users/1/", &admin).await;
    assert_eq!(doubled.data()["username"], "admin");
    let healthz = app.send(TestRequest::get().uri("/healthz/")).await;
    assert_eq!(healthz.data()["status"], "alive");
}

#[actix_web::test]
async fn bad_bodies_get_the_envelope_with_the_right_status() {
    let app = spawn().await;
    let admin = app.admin().await;
    let bearer = (header::AUTHORIZATION, format!("Bearer {admin}"));

    let malformed = TestRequest::post()
        .uri("/api/v1/users")
        .insert_header(bearer.clone())
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload("{\"username\": ");
    let reply = app.send(malformed).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "MALFORMED_JSON")
    );

    let text = TestRequest::post()
        .uri("/api/v1/users")
        .insert_header(bearer.clone())
        .insert_header((header::CONTENT_TYPE, "text/plain"))
        .set_payload("username=x");
    let reply = app.send(text).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE")
    );

    let reply = app
        .post("/api/v1/users", Some(&admin), json!({"username": 5}))
        .await;
    assert_eq!(reply.fields(), ["username"]);
    assert_eq!(reply.code(), "VALIDATION_ERROR");
    let reply = app
        .post("/api/v1/users", Some(&admin), json!({"username": "jane"}))
        .await;
    assert_eq!(
        reply.fields(),
        ["email"],
        "the first missing field is named"
    );
    let reply = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"usernmae": "jane", "email": "j@example.com", "password": "x"}),
        )
        .await;
    assert_eq!(reply.fields(), ["usernmae"]);
    let reply = app.post("/api/v1/users", Some(&admin), json!([1, 2])).await;
    assert_eq!(reply.fields(), ["body"]);

    let huge = "x".repeat(300 * 1024);
    let reply = app
        .post("/api/v1/users", Some(&admin), json!({"username": huge}))
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE")
    );
}

#[actix_web::test]
async fn bad_path_and_query_parameters_name_the_parameter() {
    let app = spawn().await;
    let admin = app.admin().await;
    // No user has an id that is not a number: 404, as for any unknown id.
    let reply = app.get("/api/v1/users/not-a-number", &admin).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );
    let reply = app
        .get(
            "/api/v1/users?page=0&per_page=101&sort_order=sideways",
            &admin,
        )
        .await;
    assert_eq!(reply.fields(), ["page", "per_page", "sort_order"]);
    let reply = app.get("/api/v1/users?sort_by=password_hash", &admin).await;
    assert_eq!(reply.fields(), ["sort_by"]);
    let allowed = reply.body["errors"][0]["message"].as_str().unwrap();
    assert_eq!(
        allowed,
        "must be one of: username, email, created_at, last_login_at"
    );
    let reply = app.get("/api/v1/users?role=boss", &admin).await;
    assert_eq!(reply.fields(), ["role"]);
    let reply = app.get("/api/v1/users?is_active=perhaps", &admin).await;
    assert_eq!(reply.fields(), ["is_active"]);
}

#[actix_web::test]
async fn pages_totals_and_page_counts_add_up() {
    let app = spawn().await;
    let admin = app.admin().await;
    for i in 0..7 {
        app.create_user(&admin, &format!("user{i}"), "viewer").await;
    }
    let page = |n: u32| format!("/api/v1/users?per_page=3&page={n}&sort_by=username");
    let first = app.get(&page(1), &admin).await;
    let data = first.data();
    assert_eq!(
        (data["total"].as_u64(), data["pages"].as_u64()),
        (Some(8), Some(3))
    );
    assert_eq!(
        (data["page"].as_u64(), data["per_page"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(data["items"][0]["username"], "admin");
    let last = app.get(&page(3), &admin).await;
    let names: Vec<_> = last.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].clone())
        .collect();
    assert_eq!(names, [json!("user5"), json!("user6")]);
    let beyond = app.get(&page(9), &admin).await;
    assert_eq!(beyond.data()["items"], json!([]));
    assert_eq!(beyond.data()["total"], 8);

    let defaults = app.get("/api/v1/users", &admin).await;
    assert_eq!(
        (
            defaults.data()["page"].as_u64(),
            defaults.data()["per_page"].as_u64()
        ),
        (Some(1), Some(50))
    );
    let descending = app
        .get(
            "/api/v1/users?sort_by=username&sort_order=desc&per_page=1",
            &admin,
        )
        .await;
    assert_eq!(descending.data()["items"][0]["username"], "user6");
}

#[actix_web::test]
async fn lists_search_and_filter() {
    let app = spawn().await;
    let admin = app.admin().await;
    app.create_user(&admin, "alice", "technician").await;
    let bob = app.create_user(&admin, "bob", "viewer").await;
    app.put(
        &format!("/api/v1/users/{bob}"),
        &admin,
        json!({"is_active": false}),
    )
    .await;
    let total = |reply: crate::helpers::Reply| reply.data()["total"].as_u64().unwrap();
    assert_eq!(
        total(app.get("/api/v1/users?role=technician", &admin).await),
        1
    );
    assert_eq!(
        total(app.get("/api/v1/users?is_active=false", &admin).await),
        1
    );
    assert_eq!(total(app.get("/api/v1/users?search=ALI", &admin).await), 1);
    assert_eq!(
        total(app.get("/api/v1/users?search=example.com", &admin).await),
        3
    );
    assert_eq!(
        total(app.get("/api/v1/users?search=nobody", &admin).await),
        0
    );
}

#[actix_web::test]
async fn health_probes() {
    let app = spawn().await;
    let live = app.send(TestRequest::get().uri("/healthz")).await;
    assert_eq!(live.data()["status"], "alive");
    let ready = app.send(TestRequest::get().uri("/readyz")).await;
    assert_eq!(ready.data()["status"], "ready");
}

#[actix_web::test]
async fn a_database_outage_is_503_not_500() {
    let app = spawn().await;
    let admin = app.admin().await;
    app.db.drop_database();

    let ready = app.send(TestRequest::get().uri("/readyz")).await;
    assert_eq!(
        (ready.status, ready.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE")
    );
    let login = app.try_login("admin", "whatever password").await;
    assert_eq!(
        (login.status, login.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE")
    );
    let me = app.me(&admin).await;
    assert_eq!(
        (me.status, me.code()),
        (StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE")
    );
    let live = app.send(TestRequest::get().uri("/healthz")).await;
    assert_eq!(live.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_known_path_with_another_method_is_405_with_allow_and_head_works_like_get() {
    let app = spawn().await;
    let admin = app.admin().await;
    let reply = app
        .call(Method::PUT, "/api/v1/auth/me", Some(&admin), None)
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED")
    );
    assert_eq!(reply.headers.get(header::ALLOW).unwrap(), "GET, HEAD");
    let agent = format!("/api/v1/agents/{}", uuid::Uuid::new_v4());
    let reply = app.call(Method::POST, &agent, Some(&admin), None).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        reply.headers.get(header::ALLOW).unwrap(),
        "GET, HEAD, PATCH, DELETE"
    );
    let trace = app.call(Method::TRACE, "/healthz", None, None).await;
    assert_eq!(trace.status, StatusCode::METHOD_NOT_ALLOWED);
    let unknown = app
        .call(Method::GET, "/api/v1/nothing-here", Some(&admin), None)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let head = app
        .call(Method::HEAD, "/api/v1/users", Some(&admin), None)
        .await;
    assert_eq!(head.status, StatusCode::OK);
    let health = app.call(Method::HEAD, "/healthz", None, None).await;
    assert_eq!(health.status, StatusCode::OK);
}
