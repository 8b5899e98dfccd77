//! Every operation of the API, called by an admin limited to client Alpha against client Beta's
//! objects: nothing of Beta's is revealed and nothing of Beta's changes.

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, spawn};
use crate::tenancy::tenant;

/// What only Beta's objects carry: none of it may appear in an answer to Alpha's admin.
const BETA_HOST: &str = "beta-secret-host";
const BETA_CLIENT: &str = "Beta Secret Corp";
const BETA_ALERT: &str = "beta secret alert";

/// The operations that concern only the caller's own session and second factor (walking them
/// would sign the walker out), and the WebSocket upgrade (its own test).
fn skipped(path: &str) -> bool {
    path.starts_with("/api/v1/auth/") || path == "/api/v1/ws/events"
}

#[actix_web::test]
async fn a_user_of_one_client_can_neither_see_nor_touch_another_clients_objects() {
    let app = spawn().await;
    let admin = app.admin().await;
    let admin_id = app.me(&admin).await.data()["id"].as_i64().unwrap();
    let alpha = tenant(&app, &admin, "Alpha", "alpha-01").await;
    let beta = tenant(&app, &admin, BETA_CLIENT, BETA_HOST).await;

    // Beta's objects, made by the admin of every client.
    let script = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Uptime", "script_type": "bash", "content": "uptime"}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let run = app
        .post(
            &format!("/api/v1/scripts/{script}/execute"),
            Some(&admin),
            json!({"agent_uuids": [beta.agent]}),
        )
        .await;
    let execution = run.data()["executions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.db.execute(&format!(
        "INSERT INTO alerts (agent_uuid, metric, severity, message, raised_at) \
         VALUES ('{}', 'cpu', 'critical', '{BETA_ALERT}', now())",
        beta.agent
    ));
    let alert = app.get("/api/v1/alerts", &admin).await.data()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let token = app
        .get("/api/v1/enrollment-tokens?search=Beta%20Secret", &admin)
        .await
        .data()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let policy = app
        .post(
            "/api/v1/policies",
            Some(&admin),
            json!({"name": "Weekly", "targets": {"all": true}}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let body = json!({"username": "walker", "email": "walker@example.com", "password": PASSWORD,
                      "role": "admin", "client_ids": [alpha.client]});
    assert_eq!(
        app.post("/api/v1/users", Some(&admin), body).await.status,
        StatusCode::CREATED
    );
    let walker = app.login("walker", PASSWORD).await.access;

    let document = app
        .send(actix_web::test::TestRequest::get().uri("/openapi.json"))
        .await
        .body;
    let mut walked = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let bearer = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|scheme| scheme.get("bearer").is_some());
            if !bearer || skipped(path) {
                continue;
            }
            let id = match path.split('/').nth(3).unwrap_or_default() {
                "executions" => execution.clone(),
                "alerts" => alert.to_string(),
                "clients" => beta.client.to_string(),
                "sites" => beta.site.to_string(),
                "enrollment-tokens" => token.to_string(),
                "users" => admin_id.to_string(),
                "policies" => policy.clone(),
                "policy-runs" => uuid::Uuid::new_v4().to_string(),
                "scripts" => script.clone(),
                _ => "1".to_owned(),
            };
            let uri = path
                .replace("{uuid}", &beta.agent)
                .replace("{id}", &id)
                .replace("{name}", "smtp");
            let method: Method = method.to_uppercase().parse().unwrap();
            let body = match (method.as_str(), path.as_str()) {
                ("POST", "/api/v1/agents/{uuid}/action") => json!({"action": "ping"}),
                ("PATCH", "/api/v1/agents/{uuid}") => json!({"display_name": "pwned"}),
                ("PUT", "/api/v1/agents/{uuid}/site") => json!({"site_id": alpha.site}),
                ("POST", "/api/v1/scripts/{id}/execute") => json!({"agent_uuids": [beta.agent]}),
                (
                    _,
                    "/api/v1/clients/{id}" | "/api/v1/sites/{id}" | "/api/v1/clients/{id}/sites",
                ) => {
                    json!({"name": "pwned"})
                }
                _ => json!({}),
            };
            let body = (method != Method::GET && method != Method::DELETE).then_some(body);
            // Lists are also asked about Beta by name.
            let uri = if method == Method::GET && !path.contains('{') {
                format!("{uri}?search={BETA_HOST}")
            } else {
                uri
            };
            for uri in [uri.clone(), uri.split('?').next().unwrap().to_owned()] {
                let reply = app
                    .call(method.clone(), &uri, Some(&walker), body.clone())
                    .await;
                let text = reply.body.to_string();
                assert!(
                    !reply.status.is_server_error(),
                    "{method} {uri}: {}",
                    reply.body
                );
                let asked = format!("{uri} {}", body.clone().unwrap_or_default());
                for secret in [BETA_HOST, BETA_CLIENT, BETA_ALERT, &beta.agent, &execution] {
                    // A refusal may echo what the caller sent (as it would for a made-up id).
                    let echoed = reply.status.is_client_error() && asked.contains(secret);
                    assert!(
                        echoed || !text.contains(secret),
                        "{method} {uri} revealed {secret}: {text}"
                    );
                }
                if reply.status.is_success() {
                    assert_eq!(
                        method,
                        Method::GET,
                        "{uri} changed something: {}",
                        reply.body
                    );
                }
            }
            walked += 1;
        }
    }
    assert!(walked >= 60, "the walk covered only {walked} operations");

    // Nothing of Beta's changed.
    let agent = app
        .get(&format!("/api/v1/agents/{}", beta.agent), &admin)
        .await;
    assert_eq!(agent.status, StatusCode::OK);
    assert_eq!(agent.data()["display_name"], Value::Null);
    assert_eq!(agent.data()["site_id"], beta.site);
    let queued = app
        .get(&format!("/api/v1/executions/{execution}"), &admin)
        .await;
    assert_eq!(queued.data()["status"], "queued");
    let client = app
        .get(&format!("/api/v1/clients/{}", beta.client), &admin)
        .await;
    assert_eq!(client.data()["name"], BETA_CLIENT);
    assert_eq!(client.data()["agents"]["open_alerts"], 1);
    let executions = app
        .get(
            &format!("/api/v1/executions?agent_uuid={}", beta.agent),
            &admin,
        )
        .await;
    assert_eq!(
        executions.data()["total"],
        1,
        "no command reached Beta's agent"
    );
    let tokens = app
        .get("/api/v1/enrollment-tokens?search=Beta%20Secret", &admin)
        .await;
    assert_eq!(tokens.data()["items"][0]["revoked"], false);
}
