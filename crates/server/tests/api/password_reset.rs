//! Forgot-password and reset-password.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN, ADMIN_PASSWORD, PASSWORD, spawn};

const NEW_PASSWORD: &str = "an entirely new password";

#[actix_web::test]
async fn forgot_password_says_the_same_for_every_address() {
    let app = spawn().await;
    let known = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": "ADMIN@example.com"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": "who@example.com"}),
        )
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(known.body, unknown.body);
    let mails = app.mailbox.reset_tokens();
    assert_eq!(mails.len(), 1, "only the known address gets a mail");
    assert_eq!(
        mails[0].0, "admin@example.com",
        "sent to the user's own address"
    );

    let invalid = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": "not-an-address"}),
        )
        .await;
    assert_eq!(invalid.fields(), ["email"]);
}

#[actix_web::test]
async fn inactive_users_get_no_reset_mail() {
    let app = spawn().await;
    let admin = app.admin().await;
    let id = app.create_user(&admin, "jane", "viewer").await;
    app.put(
        &format!("/api/v1/users/{id}"),
        &admin,
        json!({"is_active": false}),
    )
    .await;
    let reply = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": "jane@example.com"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(app.mailbox.reset_tokens().is_empty());
}

#[actix_web::test]
async fn a_reset_token_sets_the_password_once_and_ends_every_session() {
    let app = spawn().await;
    let admin = app.admin().await;
    app.create_user(&admin, "jane", "technician").await;
    let session = app.login("jane", PASSWORD).await;
    app.post(
        "/api/v1/auth/forgot-password",
        None,
        json!({"email": "jane@example.com"}),
    )
    .await;
    let (_, token) = app.mailbox.reset_tokens().pop().unwrap();

    let weak = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "new_password": "short"}),
        )
        .await;
    assert_eq!(weak.fields(), ["new_password"]);

    let reply = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        app.try_login("jane", PASSWORD).await.code(),
        "INVALID_CREDENTIALS"
    );
    app.login("jane", NEW_PASSWORD).await;
    assert_eq!(app.me(&session.access).await.code(), "TOKEN_REVOKED");

    let again = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"token": token, "new_password": "yet another password"}),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::BAD_REQUEST, "INVALID_RESET_TOKEN")
    );
    // The admin was not affected.
    app.login(ADMIN, ADMIN_PASSWORD).await;
}

#[actix_web::test]
async fn made_up_tokens_are_refused() {
    let app = spawn().await;
    for token in ["made-up-token-that-looks-real-000000000", "!!"] {
        let reply = app
            .post(
                "/api/v1/auth/reset-password",
                None,
                json!({"token": token, "new_password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::BAD_REQUEST, "INVALID_RESET_TOKEN")
        );
    }
}
