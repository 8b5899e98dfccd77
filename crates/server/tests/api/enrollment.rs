//! Enrollment exactly as the SlimRMM agent performs it (agent-protocol.md §1).

use actix_web::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Reply, spawn};

fn agent_body(hostname: &str) -> serde_json::Value {
    json!({"os": "linux", "arch": "x86_64", "hostname": hostname, "agent_version": "2.3.14"})
}

fn assert_bundle(bundle: &serde_json::Value) {
    for field in ["certificate_pem", "private_key_pem", "ca_certificate_pem"] {
        assert!(
            bundle[field]
                .as_str()
                .is_some_and(|pem| pem.starts_with("-----BEGIN ")),
            "{field}: {bundle}"
        );
    }
    assert!(
        bundle["private_key_pem"]
            .as_str()
            .unwrap()
            .contains("PRIVATE KEY")
    );
}

#[actix_web::test]
async fn a_pending_agent_polls_is_approved_and_fetches_its_certificate() {
    let app = spawn().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(
            &admin,
            json!({"name": "Berlin office", "auto_approve": false, "tags": ["berlin"]}),
        )
        .await;

    let agent = app.enroll(&key, "web-01").await;
    assert_eq!(agent.reply.body["status"], "pending");
    assert!(agent.reply.body.get("mtls").is_none());
    assert!(agent.reply.body["message"].is_string());
    let status_path = format!("/api/v1/enrollment/status/{}", agent.uuid);
    let certificate_path = format!("/api/v1/enrollment/certificate/{}", agent.uuid);
    let poll = app
        .as_agent(
            Method::GET,
            &status_path,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(
        (poll.status, poll.body["status"].as_str()),
        (StatusCode::OK, Some("pending"))
    );
    let early = app
        .as_agent(
            Method::GET,
            &certificate_path,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(
        (early.status, early.code()),
        (StatusCode::FORBIDDEN, "AGENT_NOT_APPROVED")
    );

    let approved = app
        .post(
            &format!("/api/v1/agents/{}/approve", agent.uuid),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(approved.data()["status"], "offline");
    let poll = app
        .as_agent(
            Method::GET,
            &status_path,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(poll.body["status"], "approved");
    let bundle = app
        .as_agent(
            Method::GET,
            &certificate_path,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(bundle.status, StatusCode::OK, "{}", bundle.body);
    assert_eq!(
        (bundle.body["uuid"].as_str(), bundle.body["status"].as_str()),
        (Some(agent.uuid.as_str()), Some("approved"))
    );
    assert_bundle(&bundle.body["mtls"]);

    let listed = app.get("/api/v1/agents", &admin).await;
    let row = &listed.data()["items"][0];
    assert_eq!(
        (row["hostname"].as_str(), row["tags"].clone()),
        (Some("web-01"), json!(["berlin"]))
    );
    assert_eq!(
        (row["status"].as_str(), row["enrollment_status"].as_str()),
        (Some("offline"), Some("approved"))
    );
    let tokens = app.get("/api/v1/enrollment-tokens", &admin).await;
    let token = &tokens.data()["items"][0];
    assert_eq!(
        (token["uses"].as_u64(), token["revoked"].as_bool()),
        (Some(1), Some(false))
    );
    assert!(
        token.get("token").is_none() && !tokens.body.to_string().contains(&key),
        "secrets never come back"
    );
}

#[actix_web::test]
async fn an_auto_approving_token_hands_out_the_bundle_at_once_on_both_paths() {
    let app = spawn().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": true}))
        .await;
    let first = app.enroll(&key, "web-01").await;
    assert_eq!(first.reply.body["status"], "approved");
    assert_bundle(&first.reply.body["mtls"]);

    // The legacy path the agent falls back to on 404, with the key only in the body.
    let mut body = agent_body("web-02");
    body["token"] = json!(key);
    let legacy = app
        .register_as_agent("/api/v1/agents/register", None, body)
        .await;
    assert_eq!(legacy.status, StatusCode::CREATED, "{}", legacy.body);
    assert_bundle(&legacy.body["mtls"]);
    assert_eq!(
        legacy.body["mtls"]["ca_certificate_pem"], first.reply.body["mtls"]["ca_certificate_pem"],
        "every agent gets the same CA"
    );
    assert_ne!(legacy.body["uuid"], first.reply.body["uuid"]);
}

#[actix_web::test]
async fn a_reinstall_keeps_the_uuid_and_rotates_every_secret() {
    let app = spawn().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": true}))
        .await;
    let agent = app.enroll(&key, "web-01").await;
    let labels = json!({"display_name": "Front desk"});
    let path = format!("/api/v1/agents/{}", agent.uuid);
    let labelled = app
        .call(Method::PATCH, &path, Some(&admin), Some(labels))
        .await;
    assert_eq!(labelled.status, StatusCode::OK, "{}", labelled.body);

    let mut body = agent_body("web-01-rebuilt");
    body["existing_uuid"] = json!(agent.uuid);
    body["reregistration_secret"] = json!("not-the-secret-0000000000000");
    let wrong = app
        .register_as_agent("/api/v1/enrollment/register", None, body.clone())
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_REREGISTRATION_SECRET")
    );
    let status_path = format!("/api/v1/enrollment/status/{}", agent.uuid);
    let still = app
        .as_agent(
            Method::GET,
            &status_path,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(
        still.status,
        StatusCode::OK,
        "a refused re-install changes nothing"
    );

    body["reregistration_secret"] = json!(agent.reregistration_secret);
    let again = app
        .register_as_agent("/api/v1/enrollment/register", None, body)
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["uuid"].as_str(), Some(agent.uuid.as_str()));
    assert_bundle(&again.body["mtls"]);
    assert_ne!(
        again.body["reregistration_secret"].as_str(),
        Some(agent.reregistration_secret.as_str())
    );
    let old = app
        .as_agent(
            Method::GET,
            &status_path,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(old.code(), "INVALID_REGISTRATION_TOKEN");
    let new_token = again.body["registration_token"].as_str().unwrap();
    assert_eq!(
        app.as_agent(Method::GET, &status_path, &agent.uuid, new_token)
            .await
            .status,
        StatusCode::OK
    );

    let stored = app
        .get(&format!("/api/v1/agents/{}", agent.uuid), &admin)
        .await;
    assert_eq!(stored.data()["hostname"], "web-01-rebuilt");
    assert_eq!(
        stored.data()["display_name"],
        "Front desk",
        "history and labels are kept"
    );
    assert_eq!(app.get("/api/v1/agents", &admin).await.data()["total"], 1);
}

#[actix_web::test]
async fn refused_registrations_create_no_agent() {
    let app = spawn().await;
    let admin = app.admin().await;
    let refused = |reply: Reply, code: &str| {
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::UNAUTHORIZED, code),
            "{}",
            reply.body
        );
    };
    let path = "/api/v1/enrollment/register";
    refused(
        app.register_as_agent(path, None, agent_body("a")).await,
        "ENROLLMENT_TOKEN_REQUIRED",
    );
    refused(
        app.register_as_agent(path, Some("no-such-token-0000000000000"), agent_body("a"))
            .await,
        "INVALID_ENROLLMENT_TOKEN",
    );

    let once = app
        .enrollment_token(
            &admin,
            json!({"name": "once", "auto_approve": false, "max_uses": 1}),
        )
        .await;
    app.enroll(&once, "first").await;
    refused(
        app.register_as_agent(path, Some(&once), agent_body("second"))
            .await,
        "ENROLLMENT_TOKEN_EXHAUSTED",
    );

    let revoked = app
        .enrollment_token(&admin, json!({"name": "revoked", "auto_approve": true}))
        .await;
    let tokens = app
        .get("/api/v1/enrollment-tokens?search=revoked", &admin)
        .await;
    let id = tokens.data()["items"][0]["id"].as_i64().unwrap();
    let reply = app
        .delete(&format!("/api/v1/enrollment-tokens/{id}"), &admin)
        .await;
    assert_eq!(reply.data()["revoked"], true);
    refused(
        app.register_as_agent(path, Some(&revoked), agent_body("a"))
            .await,
        "ENROLLMENT_TOKEN_REVOKED",
    );

    let expiring = app
        .enrollment_token(&admin, json!({"name": "expiring", "auto_approve": true}))
        .await;
    app.db.execute("UPDATE enrollment_tokens SET expires_at = now() - interval '1 minute' WHERE name = 'expiring'");
    refused(
        app.register_as_agent(path, Some(&expiring), agent_body("a"))
            .await,
        "ENROLLMENT_TOKEN_EXPIRED",
    );

    assert_eq!(
        app.get("/api/v1/agents", &admin).await.data()["total"],
        1,
        "only the first agent exists"
    );
}

#[actix_web::test]
async fn agent_supplied_fields_are_validated() {
    let app = spawn().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": false}))
        .await;
    let path = "/api/v1/enrollment/register";
    let body =
        json!({"os": "freebsd", "arch": "x86 64", "hostname": "<script>", "agent_version": ""});
    let reply = app.register_as_agent(path, Some(&key), body).await;
    assert_eq!(reply.fields(), ["agent_version", "arch", "hostname", "os"]);
    let reply = app
        .register_as_agent(path, Some(&key), json!({"os": "linux"}))
        .await;
    assert_eq!(reply.fields(), ["arch"]);
    let long = "a".repeat(254);
    let reply = app
        .register_as_agent(
            path,
            Some(&key),
            json!({"os": "linux", "arch": "arm64", "hostname": long, "agent_version": "1"}),
        )
        .await;
    assert_eq!(reply.fields(), ["hostname"]);
    let mut body = agent_body("a");
    body["existing_uuid"] = json!("not-a-uuid");
    body["reregistration_secret"] = json!("whatever-secret-000000000");
    assert_eq!(
        app.register_as_agent(path, Some(&key), body).await.fields(),
        ["existing_uuid"]
    );
    assert_eq!(app.get("/api/v1/agents", &admin).await.data()["total"], 0);
}

#[actix_web::test]
async fn polling_requires_this_agents_credentials() {
    let app = spawn().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": false}))
        .await;
    let agent = app.enroll(&key, "web-01").await;
    let other = app.enroll(&key, "web-02").await;
    let path = format!("/api/v1/enrollment/status/{}", agent.uuid);

    let reply = app
        .as_agent(Method::GET, &path, &agent.uuid, &other.registration_token)
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::UNAUTHORIZED, "INVALID_REGISTRATION_TOKEN")
    );
    let reply = app
        .as_agent(Method::GET, &path, &other.uuid, &agent.registration_token)
        .await;
    assert_eq!(reply.code(), "AGENT_UUID_MISMATCH");
    let reply = app.call(Method::GET, &path, None, None).await;
    assert_eq!(reply.code(), "REGISTRATION_CREDENTIALS_REQUIRED");
    let unknown = uuid::Uuid::new_v4().to_string();
    let reply = app
        .as_agent(
            Method::GET,
            &format!("/api/v1/enrollment/status/{unknown}"),
            &unknown,
            &agent.registration_token,
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "AGENT_NOT_FOUND")
    );

    app.post(
        &format!("/api/v1/agents/{}/reject", agent.uuid),
        Some(&admin),
        json!({}),
    )
    .await;
    let reply = app
        .as_agent(Method::GET, &path, &agent.uuid, &agent.registration_token)
        .await;
    assert_eq!(reply.body["status"], "rejected");
    let certificate = format!("/api/v1/enrollment/certificate/{}", agent.uuid);
    let reply = app
        .as_agent(
            Method::GET,
            &certificate,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "AGENT_REJECTED")
    );
}

#[actix_web::test]
async fn certificates_renew_only_in_their_last_thirty_days() {
    let app = spawn().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": true}))
        .await;
    let agent = app.enroll(&key, "web-01").await;
    let path = format!("/api/v1/agents/{}/renew-cert", agent.uuid);

    let fresh = app
        .as_agent(Method::POST, &path, &agent.uuid, &agent.registration_token)
        .await;
    assert_eq!(fresh.status, StatusCode::NOT_MODIFIED);

    app.db
        .execute("UPDATE agent_certificates SET not_after = now() + interval '10 days'");
    let renewed = app
        .as_agent(Method::POST, &path, &agent.uuid, &agent.registration_token)
        .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    for field in ["ca_cert", "client_cert", "client_key"] {
        assert!(
            renewed.body[field]
                .as_str()
                .is_some_and(|pem| pem.starts_with("-----BEGIN ")),
            "{field}"
        );
    }
    let again = app
        .as_agent(Method::POST, &path, &agent.uuid, &agent.registration_token)
        .await;
    assert_eq!(
        again.status,
        StatusCode::NOT_MODIFIED,
        "the new certificate has 90 days"
    );

    let nobody = app.call(Method::POST, &path, None, None).await;
    assert_eq!(
        nobody.status,
        StatusCode::UNAUTHORIZED,
        "no key for a caller who has not proven who it is"
    );
}

#[actix_web::test]
async fn a_deleted_agent_is_gone_for_good() {
    let app = spawn().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": true}))
        .await;
    let agent = app.enroll(&key, "web-01").await;
    let reply = app
        .delete(&format!("/api/v1/agents/{}", agent.uuid), &admin)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/agents/{}", agent.uuid), &admin)
            .await
            .code(),
        "AGENT_NOT_FOUND"
    );
    let status_path = format!("/api/v1/enrollment/status/{}", agent.uuid);
    let poll = app
        .as_agent(
            Method::GET,
            &status_path,
            &agent.uuid,
            &agent.registration_token,
        )
        .await;
    assert_eq!(poll.status, StatusCode::NOT_FOUND);
    let renew = format!("/api/v1/agents/{}/renew-cert", agent.uuid);
    assert_eq!(
        app.as_agent(Method::POST, &renew, &agent.uuid, &agent.registration_token)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let revoked = app
        .db
        .query_i64("SELECT count(*) AS value FROM agent_certificates WHERE revoked_at IS NOT NULL");
    assert_eq!(revoked, 1, "its certificate is revoked");

    // A re-install of the deleted uuid cannot bring it back; with a token it enrolls anew.
    let mut body = agent_body("web-01");
    body["existing_uuid"] = json!(agent.uuid);
    body["reregistration_secret"] = json!(agent.reregistration_secret);
    let reply = app
        .register_as_agent("/api/v1/enrollment/register", None, body.clone())
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::NOT_FOUND, "AGENT_NOT_FOUND")
    );
    let reply = app
        .register_as_agent("/api/v1/enrollment/register", Some(&key), body)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_ne!(reply.body["uuid"].as_str(), Some(agent.uuid.as_str()));
}
