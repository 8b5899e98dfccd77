//! Forgot-password and reset-password.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::{ADMIN, ADMIN_PASSWORD, PASSWORD, spawn_manual_outbox};
use crate::sinks::SmtpSink;

const NEW_PASSWORD: &str = "an entirely new password";

/// Runs an outbox round and returns each reset mail's recipient and token.
async fn reset_mails<S, B>(
    app: &crate::helpers::TestApp<S>,
    sink: &SmtpSink,
) -> Vec<(String, String)>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    app.delivery.run_once().await.unwrap();
    sink.mails()
        .iter()
        .filter(|mail| mail.subject().contains("Reset your SlimRMM password"))
        .map(|mail| {
            let text = mail.text();
            let start = text.find("/reset-password?token=").expect("a reset link") + 22;
            let token: String = text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            (mail.to.join(","), token)
        })
        .collect()
}

#[actix_web::test]
async fn forgot_password_says_the_same_for_every_address() {
    let app = spawn_manual_outbox().await;
    let sink = SmtpSink::start().await;
    app.use_smtp(sink.port, &["ops@example.test"]).await;
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
    let mails = reset_mails(&app, &sink).await;
    assert_eq!(mails.len(), 1, "only the known address gets a mail");
    assert_eq!(
        mails[0].0, "admin@example.com",
        "sent to the user's own address, not to the alert recipients"
    );
    let text = sink.mails()[0].text();
    assert!(
        text.contains("https://rmm.example.test/reset-password?token="),
        "the link is built from SLIMRMM_PUBLIC_URL: {text}"
    );
    assert!(text.contains("Hello admin"));

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
    let app = spawn_manual_outbox().await;
    let sink = SmtpSink::start().await;
    app.use_smtp(sink.port, &[]).await;
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
    assert!(reset_mails(&app, &sink).await.is_empty());
    assert!(app.outbox_kinds().await.is_empty());
}

#[actix_web::test]
async fn a_reset_token_sets_the_password_once_and_ends_every_session() {
    let app = spawn_manual_outbox().await;
    let sink = SmtpSink::start().await;
    app.use_smtp(sink.port, &[]).await;
    let admin = app.admin().await;
    app.create_user(&admin, "jane", "technician").await;
    let session = app.login("jane", PASSWORD).await;
    app.post(
        "/api/v1/auth/forgot-password",
        None,
        json!({"email": "jane@example.com"}),
    )
    .await;
    let (_, token) = reset_mails(&app, &sink).await.pop().unwrap();

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
    let app = spawn_manual_outbox().await;
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

#[actix_web::test]
async fn without_smtp_the_answer_is_the_same_and_the_outbox_says_nothing_went_out() {
    let app = spawn_manual_outbox().await;
    let reply = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": "admin@example.com"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    app.delivery.run_once().await.unwrap();
    let admin = app.admin().await;
    let outbox = app.get("/api/v1/notifications", &admin).await;
    let entry = &outbox.data()["items"][0];
    assert_eq!(entry["kind"], "password_reset");
    assert!(entry["routed_at"].is_string());
    assert_eq!(entry["deliveries"], json!([]), "no channel could take it");
    assert!(
        !entry.to_string().contains("token"),
        "no secret in the outbox list"
    );
    let sealed = app
        .db
        .query_i64("SELECT count(*) AS value FROM notifications WHERE secret IS NOT NULL");
    assert_eq!(
        sealed, 0,
        "the sealed token is wiped once nothing will send it"
    );
}
