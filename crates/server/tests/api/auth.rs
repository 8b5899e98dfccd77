//! Sign-in, token rotation with reuse detection, sign-out across processes.

use actix_web::http::{StatusCode, header};
use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::{ADMIN, ADMIN_PASSWORD, PASSWORD, spawn};

#[actix_web::test]
async fn login_answers_with_the_bare_token_object() {
    let app = spawn().await;
    let reply = app.try_login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["token_type"], "bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert!(
        reply.body["access_token"]
            .as_str()
            .unwrap()
            .starts_with("ey")
    );
    assert!(
        reply.body["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("ey")
    );
    assert!(
        reply.body.get("data").is_none(),
        "login is not wrapped in the envelope"
    );
    assert_eq!(
        reply.headers.get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    // Usernames are case-insensitive.
    assert_eq!(
        app.try_login("ADMIN", ADMIN_PASSWORD).await.status,
        StatusCode::OK
    );
}

#[actix_web::test]
async fn login_accepts_the_oauth2_password_form() {
    let app = spawn().await;
    let form = TestRequest::post().uri("/api/v1/auth/login").set_form([
        ("grant_type", "password"),
        ("username", ADMIN),
        ("password", ADMIN_PASSWORD),
    ]);
    let reply = app.send(form).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body["access_token"].is_string());
    let other_grant = TestRequest::post().uri("/api/v1/auth/login").set_form([
        ("grant_type", "client_credentials"),
        ("username", ADMIN),
        ("password", ADMIN_PASSWORD),
    ]);
    let reply = app.send(other_grant).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::BAD_REQUEST, "UNSUPPORTED_GRANT_TYPE")
    );
}

#[actix_web::test]
async fn wrong_passwords_and_unknown_users_look_the_same() {
    let app = spawn().await;
    let wrong_password = app.try_login(ADMIN, "not the admin password").await;
    let unknown_user = app.try_login("nobody", "not the admin password").await;
    let malformed_user = app.try_login("x", "not the admin password").await;
    for reply in [&wrong_password, &unknown_user, &malformed_user] {
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS")
        );
    }
    assert_eq!(wrong_password.body, unknown_user.body);
    assert_eq!(wrong_password.body, malformed_user.body);
    let missing = app
        .post("/api/v1/auth/login", None, json!({"username": ADMIN}))
        .await;
    assert_eq!(missing.fields(), ["password"]);
}

#[actix_web::test]
async fn inactive_users_cannot_sign_in_and_their_tokens_stop_working() {
    let app = spawn().await;
    let admin = app.admin().await;
    let (id, token) = app.user_with_role("jane", "viewer").await;
    app.put(
        &format!("/api/v1/users/{id}"),
        &admin,
        json!({"is_active": false}),
    )
    .await;
    let reply = app.try_login("jane", PASSWORD).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "ACCOUNT_DISABLED")
    );
    let reply = app.me(&token).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn me_shows_the_user_and_never_a_password() {
    let app = spawn().await;
    let admin = app.admin().await;
    let reply = app.me(&admin).await;
    let me = reply.data();
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str()),
        (Some("admin"), Some("admin"))
    );
    assert!(me["last_login_at"].is_string());
    let text = reply.body.to_string();
    assert!(
        !text.contains("password") && !text.contains("argon2"),
        "{text}"
    );
}

#[actix_web::test]
async fn refresh_rotates_and_reuse_revokes_the_session() {
    let app = spawn().await;
    let first = app.login(ADMIN, ADMIN_PASSWORD).await;
    let refreshed = app.refresh(&first.refresh).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.body);
    let second_access = refreshed.body["access_token"].as_str().unwrap().to_owned();
    let second_refresh = refreshed.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first.refresh);
    assert_eq!(app.me(&second_access).await.status, StatusCode::OK);

    // The first refresh token was used up: presenting it again is a theft signal.
    let reused = app.refresh(&first.refresh).await;
    assert_eq!(
        (reused.status, reused.code()),
        (StatusCode::UNAUTHORIZED, "REFRESH_TOKEN_REUSED")
    );
    // ... and the whole session is gone, for the legitimate holder too.
    let after = app.refresh(&second_refresh).await;
    assert_eq!(
        (after.status, after.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_REVOKED")
    );
    let access = app.me(&second_access).await;
    assert_eq!(
        (access.status, access.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_REVOKED")
    );
    // Other sessions are untouched.
    assert_eq!(app.me(&app.admin().await).await.status, StatusCode::OK);
}

#[actix_web::test]
async fn access_and_refresh_tokens_are_not_interchangeable() {
    let app = spawn().await;
    let tokens = app.login(ADMIN, ADMIN_PASSWORD).await;
    let as_refresh = app.refresh(&tokens.access).await;
    assert_eq!(
        (as_refresh.status, as_refresh.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_TOKEN")
    );
    let as_access = app.me(&tokens.refresh).await;
    assert_eq!(
        (as_access.status, as_access.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_TOKEN")
    );
    let mut tampered = tokens.access.clone();
    tampered.pop();
    tampered.push(if tokens.access.ends_with('A') {
        'B'
    } else {
        'A'
    });
    let reply = app.me(&tampered).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_TOKEN")
    );
    let garbage = app
        .send(
            TestRequest::get()
                .uri("/api/v1/auth/me")
                .insert_header((header::AUTHORIZATION, "Basic YWRtaW4=")),
        )
        .await;
    assert_eq!(
        (garbage.status, garbage.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_TOKEN")
    );
}

#[actix_web::test]
async fn logout_revokes_both_tokens_on_every_server_process() {
    let app = spawn().await;
    let tokens = app.login(ADMIN, ADMIN_PASSWORD).await;
    // A second server process sharing the database.
    let other = actix_web::test::init_service(slimrmm_http::build_app(
        slimrmm_server::wiring::app_state(&app.config, app.db.pool())
            .await
            .unwrap(),
    ))
    .await;
    let me_on_other = |token: String| {
        let other = &other;
        async move {
            let request = TestRequest::get()
                .uri("/api/v1/auth/me")
                .insert_header((header::AUTHORIZATION, format!("Bearer {token}")))
                .to_request();
            let response = actix_web::test::call_service(other, request).await;
            let status = response.status();
            let body: serde_json::Value = actix_web::test::read_body_json(response).await;
            (status, body["code"].as_str().map(str::to_owned))
        }
    };
    assert_eq!(me_on_other(tokens.access.clone()).await.0, StatusCode::OK);

    let reply = app.logout(&tokens.access).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["message"], "Logged out");

    let revoked = (StatusCode::UNAUTHORIZED, Some("TOKEN_REVOKED".to_owned()));
    assert_eq!(me_on_other(tokens.access.clone()).await, revoked);
    let reply = app.me(&tokens.access).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_REVOKED")
    );
    let reply = app.refresh(&tokens.refresh).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_REVOKED")
    );
    let again = app.logout(&tokens.refresh).await;
    assert_eq!(again.code(), "TOKEN_REVOKED");
}

#[actix_web::test]
async fn logout_with_the_refresh_token_also_ends_the_session() {
    let app = spawn().await;
    let tokens = app.login(ADMIN, ADMIN_PASSWORD).await;
    let reply = app.logout(&tokens.refresh).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(app.me(&tokens.access).await.code(), "TOKEN_REVOKED");
}
