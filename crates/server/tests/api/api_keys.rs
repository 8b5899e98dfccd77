//! API keys for integrations: made by their owner (or for a service account), used as a bearer
//! token or `X-API-Key`, never above their owner, never managing access, revoked at once.

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use serde_json::json;

use crate::helpers::{PASSWORD, spawn};

/// The operations only a signed-in session may call: managing users, keys, second factors and
/// the security policy.
const SIGNED_IN: &[&str] = &[
    "POST /api/v1/users",
    "PUT /api/v1/users/{id}",
    "DELETE /api/v1/users/{id}",
    "DELETE /api/v1/users/{id}/2fa",
    "GET /api/v1/users/{id}/api-keys",
    "POST /api/v1/users/{id}/api-keys",
    "GET /api/v1/api-keys",
    "POST /api/v1/api-keys",
    "DELETE /api/v1/api-keys/{id}",
    "GET /api/v1/auth/2fa",
    "DELETE /api/v1/auth/2fa",
    "POST /api/v1/auth/2fa/enroll",
    "POST /api/v1/auth/2fa/activate",
    "PUT /api/v1/settings/security",
];

const ROLES: [&str; 3] = ["viewer", "technician", "admin"];

fn created_key(reply: &crate::helpers::Reply) -> String {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let key = reply.data()["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("srk_"));
    assert_eq!(reply.data()["prefix"], key[..12]);
    key
}

#[actix_web::test]
async fn a_key_does_what_its_role_allows_and_never_manages_access() {
    let app = spawn().await;
    let admin = app.admin().await;
    let document = app.send(TestRequest::get().uri("/openapi.json")).await.body;
    let mut keys = Vec::new();
    for role in ROLES {
        let reply = app
            .post(
                "/api/v1/api-keys",
                Some(&admin),
                json!({"name": format!("{role} key"), "role": role}),
            )
            .await;
        keys.push((role, created_key(&reply)));
    }
    let mut checked = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            let Some(least) = crate::helpers::least_role(operation) else {
                continue;
            };
            if path == "/api/v1/auth/logout" || path == "/api/v1/auth/refresh" {
                continue; // They take the refresh token, not an access credential.
            }
            let rank = ROLES.iter().position(|role| *role == least).unwrap();
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Ids that cannot be parsed: a refusal must come before the path is read, and an
            // allowed call stops at it without changing anything.
            let uri = path
                .replace("{id}", "not-an-id")
                .replace("{uuid}", "not-a-uuid")
                .replace("{name}", "not-a-name");
            for (index, (role, key)) in keys.iter().enumerate() {
                // Both ways of sending a key, in turn.
                let credential = if index % 2 == 0 {
                    (header::AUTHORIZATION.to_string(), format!("Bearer {key}"))
                } else {
                    ("X-API-Key".to_owned(), key.clone())
                };
                let request = TestRequest::default()
                    .method(method.clone())
                    .uri(&uri)
                    .insert_header(credential)
                    .set_json(json!({}));
                let reply = app.send(request).await;
                let refused = index < rank || SIGNED_IN.contains(&name.as_str());
                if refused {
                    assert_eq!(
                        reply.status,
                        StatusCode::FORBIDDEN,
                        "{name} with a {role} key: {}",
                        reply.body
                    );
                } else {
                    assert!(
                        reply.status != StatusCode::FORBIDDEN
                            && reply.status != StatusCode::UNAUTHORIZED,
                        "{name} with a {role} key: {}",
                        reply.body
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 70, "checked {checked} operations");
}

#[actix_web::test]
async fn keys_act_within_their_owner_are_attributed_and_revoked_at_once() {
    let app = spawn().await;
    let admin = app.admin().await;
    let agent = app.approved_agent("web-01").await;
    let (_, tech) = app.user_with_role("tina", "technician").await;

    // Never above the owner.
    let above = app
        .post(
            "/api/v1/api-keys",
            Some(&tech),
            json!({"name": "too much", "role": "admin"}),
        )
        .await;
    assert_eq!(above.fields(), ["role"]);
    let key = created_key(
        &app.post("/api/v1/api-keys", Some(&tech), json!({"name": "PSA sync"}))
            .await,
    );
    assert_eq!(
        app.get("/api/v1/api-keys", &tech).await.data()[0]["role"],
        "technician"
    );

    // It acts as its owner: a command, attributed to the key in the audit log.
    let command = app
        .post(
            &format!("/api/v1/agents/{agent}/action"),
            Some(&key),
            json!({"action": "ping"}),
        )
        .await;
    assert_eq!(command.status, StatusCode::ACCEPTED, "{}", command.body);
    let listed = app.get("/api/v1/api-keys", &tech).await;
    let key_id = listed.data()[0]["id"].as_i64().unwrap();
    assert!(listed.data()[0]["last_used_at"].is_string());
    let audit = app
        .get("/api/v1/audit-logs?action=agent.command", &admin)
        .await;
    let entry = &audit.data()["items"][0];
    assert_eq!(entry["actor_name"], "tina");
    assert_eq!(entry["details"]["api_key_id"], key_id);

    // A demoted owner demotes the key.
    let tina = app.get("/api/v1/users?search=tina", &admin).await.data()["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.put(
        &format!("/api/v1/users/{tina}"),
        &admin,
        json!({"role": "viewer"}),
    )
    .await;
    let demoted = app
        .post(
            &format!("/api/v1/agents/{agent}/action"),
            Some(&key),
            json!({"action": "ping"}),
        )
        .await;
    assert_eq!(demoted.status, StatusCode::FORBIDDEN);

    // Revoked (by an admin), refused at once.
    let revoked = app
        .delete(&format!("/api/v1/api-keys/{key_id}"), &admin)
        .await;
    assert_eq!(revoked.data()["revoked"], true);
    let after = app.get("/api/v1/agents", &key).await;
    assert_eq!(
        (after.status, after.code()),
        (StatusCode::UNAUTHORIZED, "TOKEN_REVOKED")
    );
    let made_up = app
        .get("/api/v1/agents", "srk_madeupmadeupmadeupmadeup")
        .await;
    assert_eq!(made_up.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_service_account_has_keys_and_no_password() {
    let app = spawn().await;
    let admin = app.admin().await;
    let body = json!({"username": "psa-bot", "email": "psa@example.com", "role": "technician",
                      "service_account": true});
    let account = app.post("/api/v1/users", Some(&admin), body).await;
    assert_eq!(account.status, StatusCode::CREATED, "{}", account.body);
    assert_eq!(account.data()["service_account"], true);
    let id = account.data()["id"].as_i64().unwrap();
    let with_password = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "bot2", "email": "bot2@example.com", "service_account": true,
                   "password": PASSWORD}),
        )
        .await;
    assert_eq!(with_password.fields(), ["password"]);
    assert_eq!(
        app.try_login("psa-bot", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );

    let key = created_key(
        &app.post(
            &format!("/api/v1/users/{id}/api-keys"),
            Some(&admin),
            json!({"name": "PSA", "role": "viewer"}),
        )
        .await,
    );
    let me = app.me(&key).await;
    assert_eq!(
        (me.data()["username"].as_str(), me.data()["role"].as_str()),
        (Some("psa-bot"), Some("viewer"))
    );
    let listed = app
        .get(&format!("/api/v1/users/{id}/api-keys"), &admin)
        .await;
    assert_eq!(listed.data().as_array().unwrap().len(), 1);

    // An admin service account does not count as the last admin who can sign in.
    let robot = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "ops-bot", "email": "ops@example.com", "role": "admin",
                   "service_account": true}),
        )
        .await;
    assert_eq!(robot.status, StatusCode::CREATED);
    let me = app.me(&admin).await.data()["id"].as_i64().unwrap();
    let demoted = app
        .put(
            &format!("/api/v1/users/{me}"),
            &admin,
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(demoted.code(), "LAST_ADMIN");

    // A key never travels in a URL, where logs would keep it.
    let in_url = app
        .send(TestRequest::get().uri(&format!("/api/v1/ws/events?token={key}")))
        .await;
    assert_eq!(in_url.status, StatusCode::UNAUTHORIZED);

    // A person's keys are theirs to make.
    let (person, _) = app.user_with_role("paul", "technician").await;
    let refused = app
        .post(
            &format!("/api/v1/users/{person}/api-keys"),
            Some(&admin),
            json!({"name": "impersonation"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
