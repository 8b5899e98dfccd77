//! Two-factor sign-in: enrolment, the two-step login, replay, recovery codes, the locked
//! challenge, an admin's reset, and what a database dump shows.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::http::StatusCode;
use serde_json::json;
use totp_rs::{Builder, Secret};

use crate::helpers::{PASSWORD, spawn};

/// The authenticator app: the code for `secret` `offset` seconds from now.
fn code(secret: &str, offset: u64) -> String {
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now + offset).to_string()
}

#[actix_web::test]
async fn a_second_factor_guards_the_sign_in_and_each_code_counts_once() {
    let app = spawn().await;
    let (id, token) = app.user_with_role("jane", "technician").await;

    // Enrol: a secret, its otpauth URI and a QR image; pending until a code proves the app.
    let enrolled = app
        .post("/api/v1/auth/2fa/enroll", Some(&token), json!({}))
        .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{}", enrolled.body);
    let secret = enrolled.data()["secret"].as_str().unwrap().to_owned();
    assert!(
        enrolled.data()["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/SlimRMM:jane?")
    );
    assert!(
        enrolled.data()["qr_svg"]
            .as_str()
            .unwrap()
            .starts_with("<svg")
    );
    let status = app.get("/api/v1/auth/2fa", &token).await;
    assert_eq!(status.data()["pending"], true);
    assert!(
        app.try_login("jane", PASSWORD).await.body["access_token"].is_string(),
        "not on yet"
    );

    let wrong = app
        .post(
            "/api/v1/auth/2fa/activate",
            Some(&token),
            json!({"code": "zzzzzz"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let activated = app
        .post(
            "/api/v1/auth/2fa/activate",
            Some(&token),
            json!({"code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(activated.status, StatusCode::OK, "{}", activated.body);
    let recovery: Vec<String> = activated.data()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let again = app
        .post("/api/v1/auth/2fa/enroll", Some(&token), json!({}))
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "TWO_FACTOR_ACTIVE")
    );

    // The password alone gives a challenge, not tokens.
    let challenge = |reply: &crate::helpers::Reply| -> String {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["two_factor_required"], true);
        assert!(reply.body.get("access_token").is_none());
        reply.body["challenge"].as_str().unwrap().to_owned()
    };
    let second = |challenge: String, code: String| json!({"challenge": challenge, "code": code});
    let first = challenge(&app.try_login("jane", PASSWORD).await);
    let next = code(&secret, 30);
    let signed_in = app
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            second(first.clone(), next.clone()),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert!(
        app.me(signed_in.body["access_token"].as_str().unwrap())
            .await
            .status
            == StatusCode::OK
    );
    let reused = app
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            second(first, next.clone()),
        )
        .await;
    assert_eq!(
        (reused.status, reused.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_CHALLENGE")
    );

    // The same code with a fresh challenge: a replay.
    let fresh = challenge(&app.try_login("jane", PASSWORD).await);
    let replayed = app
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            second(fresh.clone(), next),
        )
        .await;
    assert_eq!(
        (replayed.status, replayed.code()),
        (StatusCode::UNAUTHORIZED, "CODE_ALREADY_USED")
    );

    // A recovery code works once, typed however.
    let typed = recovery[0].to_uppercase().replace('-', " ");
    let recovered = app
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            second(fresh, typed.clone()),
        )
        .await;
    assert_eq!(recovered.status, StatusCode::OK, "{}", recovered.body);
    let fresh = challenge(&app.try_login("jane", PASSWORD).await);
    let spent = app
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            second(fresh, typed),
        )
        .await;
    assert_eq!(
        (spent.status, spent.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_CODE")
    );
    assert_eq!(
        app.get("/api/v1/auth/2fa", &token).await.data()["recovery_codes_left"],
        9
    );

    // Five wrong codes lock the challenge, even for the right code after them.
    let locked = challenge(&app.try_login("jane", PASSWORD).await);
    for _ in 0..5 {
        let wrong = app
            .post(
                "/api/v1/auth/login/second-factor",
                None,
                second(locked.clone(), "zzzz-zzzz-zzzz".into()),
            )
            .await;
        assert_eq!(wrong.code(), "INVALID_CODE");
    }
    let late = app
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            second(locked, recovery[1].clone()),
        )
        .await;
    assert_eq!(
        (late.status, late.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_CHALLENGE")
    );

    // A database dump holds no secret that signs anyone in.
    let stored = app.db.query_i64(&format!(
        "SELECT count(*) AS value FROM user_two_factor \
         WHERE position(convert_to('{secret}', 'UTF8') in secret) > 0"
    ));
    assert_eq!(stored, 0, "the TOTP secret is sealed");
    let plain = app.db.query_i64(&format!(
        "SELECT count(*) AS value FROM user_recovery_codes \
         WHERE position(convert_to('{}', 'UTF8') in digest) > 0",
        recovery[2]
    ));
    assert_eq!(plain, 0, "recovery codes are digests");

    // An admin resets it (a lost phone): the password alone signs in again.
    let admin = app.admin().await;
    let reset = app.delete(&format!("/api/v1/users/{id}/2fa"), &admin).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(app.try_login("jane", PASSWORD).await.body["access_token"].is_string());

    let audit = app
        .get("/api/v1/audit-logs?action=auth.&per_page=100", &admin)
        .await;
    let actions: Vec<&str> = audit.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    for expected in [
        "auth.two_factor.enable",
        "auth.two_factor.reset",
        "auth.login",
    ] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
    let with_factor = audit.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["details"]["second_factor"] == "recovery_code")
        .count();
    assert_eq!(with_factor, 1);
}

#[actix_web::test]
async fn turning_it_off_takes_a_code() {
    let app = spawn().await;
    let (_, token) = app.user_with_role("joe", "viewer").await;
    let secret = app
        .post("/api/v1/auth/2fa/enroll", Some(&token), json!({}))
        .await
        .data()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let off = app
        .delete_with("/api/v1/auth/2fa", &token, json!({"code": "123456"}))
        .await;
    assert_eq!(
        (off.status, off.code()),
        (StatusCode::CONFLICT, "TWO_FACTOR_NOT_ENROLLED")
    );
    app.post(
        "/api/v1/auth/2fa/activate",
        Some(&token),
        json!({"code": code(&secret, 0)}),
    )
    .await;
    let wrong = app
        .delete_with(
            "/api/v1/auth/2fa",
            &token,
            json!({"code": "zzzz-zzzz-zzzz"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let off = app
        .delete_with(
            "/api/v1/auth/2fa",
            &token,
            json!({"code": code(&secret, 30)}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert!(app.try_login("joe", PASSWORD).await.body["access_token"].is_string());
}

#[actix_web::test]
async fn a_required_second_factor_leaves_users_without_one_only_enrolment() {
    let app = spawn().await;
    let admin = app.admin().await;
    let (_, token) = app.user_with_role("kim", "technician").await;
    let policy = json!({"require_two_factor": true});
    let refused = app
        .put("/api/v1/settings/security", &token, policy.clone())
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let set = app.put("/api/v1/settings/security", &admin, policy).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.data()["require_two_factor"], true);

    // At their next request, on the sessions they already have.
    let blocked = app.get("/api/v1/agents", &token).await;
    assert_eq!(
        (blocked.status, blocked.code()),
        (StatusCode::FORBIDDEN, "TWO_FACTOR_REQUIRED")
    );
    let own = app.get("/api/v1/settings/security", &admin).await;
    assert_eq!(own.code(), "TWO_FACTOR_REQUIRED", "admins too");
    assert_eq!(app.me(&token).await.status, StatusCode::OK);
    let events = app.get("/api/v1/ws/events", &token).await;
    assert_eq!(events.code(), "TWO_FACTOR_REQUIRED");

    // Enrolment stays open, and once it is on everything is back.
    let secret = app
        .post("/api/v1/auth/2fa/enroll", Some(&token), json!({}))
        .await
        .data()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let on = app
        .post(
            "/api/v1/auth/2fa/activate",
            Some(&token),
            json!({"code": code(&secret, 0)}),
        )
        .await;
    assert_eq!(on.status, StatusCode::OK, "{}", on.body);
    assert_eq!(
        app.get("/api/v1/agents", &token).await.status,
        StatusCode::OK
    );
}
