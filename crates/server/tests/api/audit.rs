//! The audit log: who did what, to what, from where; filters and pagination; admins only;
//! no secrets.

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, PASSWORD, spawn};

fn actions(reply: &crate::helpers::Reply) -> Vec<String> {
    reply.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn logins_user_changes_and_commands_are_recorded_with_who_and_where() {
    let app = spawn().await;
    // A failed and a successful login, from a client address.
    let login = |password: &str| {
        TestRequest::default()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .peer_addr("198.51.100.23:5555".parse().unwrap())
            .set_json(json!({"username": "admin", "password": password}))
    };
    assert_eq!(
        app.send(login("wrong password!")).await.status,
        StatusCode::UNAUTHORIZED
    );
    let signed_in = app.send(login(ADMIN_PASSWORD)).await;
    assert_eq!(signed_in.status, StatusCode::OK);
    let admin = signed_in.body["access_token"].as_str().unwrap().to_owned();

    // A user is created and given a new password; an agent gets a command.
    let user = app.create_user(&admin, "carol", "technician").await;
    let secret = "a brand new password 42";
    let updated = app
        .put(
            &format!("/api/v1/users/{user}"),
            &admin,
            json!({"password": secret, "role": "viewer"}),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    let agent = app.approved_agent("web-01").await;
    let command = app
        .post(
            &format!("/api/v1/agents/{agent}/action"),
            Some(&admin),
            json!({"action": "ping"}),
        )
        .await;
    assert_eq!(command.status, StatusCode::ACCEPTED);

    let log = app
        .get("/api/v1/audit-logs/?sort_order=asc&per_page=100", &admin)
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let entries = log.data()["items"].as_array().unwrap().clone();
    let find = |action: &str, success: bool| -> Value {
        entries
            .iter()
            .find(|entry| {
                entry["action"] == action
                    && entry["success"] == success
                    && entry["actor_name"] != "slimrmm-server"
            })
            .unwrap_or_else(|| panic!("no {action} ({success}) in {entries:?}"))
            .clone()
    };
    let failed = find("auth.login", false);
    assert_eq!(failed["actor_id"], Value::Null);
    assert_eq!(failed["actor_name"], "admin");
    assert_eq!(failed["ip_address"], "198.51.100.23");
    let succeeded = find("auth.login", true);
    assert_eq!(succeeded["actor_name"], "admin");
    assert_eq!(succeeded["ip_address"], "198.51.100.23");
    let created = find("user.create", true);
    assert_eq!(created["target_type"], "user");
    assert_eq!(created["target_id"], user.to_string());
    assert_eq!(created["details"]["username"], "carol");
    let change = find("user.update", true);
    assert_eq!(change["details"]["fields"], json!(["role", "password"]));
    let sent = find("agent.command", true);
    assert_eq!(sent["target_id"], agent.to_string());
    assert_eq!(sent["details"]["action"], "ping");
    assert!(find("enrollment_token.create", true)["details"]["name"].is_string());

    // No password, token or secret is ever stored.
    let text = log.body.to_string();
    for secret in [secret, ADMIN_PASSWORD, PASSWORD, "wrong password!"] {
        assert!(
            !text.contains(secret),
            "the audit log holds a secret: {secret}"
        );
    }
}

#[actix_web::test]
async fn the_log_filters_pages_and_is_for_admins_only() {
    let app = spawn().await;
    let admin = app.admin().await;
    let carol = app.create_user(&admin, "carol", "technician").await;
    app.create_user(&admin, "dave", "viewer").await;
    app.delete(&format!("/api/v1/users/{carol}"), &admin).await;
    app.try_login("nobody", "not a password at all").await;

    let get = |query: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.get(&format!("/api/v1/audit-logs/?{query}"), &admin)
                .await
        }
    };
    let users = get("action=user.&sort_order=asc".to_owned()).await;
    // The first admin's creation (by the server), carol's, dave's, carol's deletion.
    assert_eq!(
        actions(&users),
        ["user.create", "user.create", "user.create", "user.delete"]
    );
    let on_carol = get(format!("target_type=user&target_id={carol}&sort_order=asc")).await;
    assert_eq!(actions(&on_carol), ["user.create", "user.delete"]);
    let failures = get("success=false".to_owned()).await;
    assert_eq!(actions(&failures), ["auth.login"]);
    assert_eq!(failures.data()["items"][0]["actor_name"], "nobody");
    let admin_id = app.me(&admin).await.data()["id"].as_i64().unwrap();
    let by_admin = get(format!("actor_id={admin_id}&action=user.delete")).await;
    assert_eq!(by_admin.data()["total"], 1);
    let paged = get("per_page=2&page=1".to_owned()).await;
    assert_eq!(paged.data()["items"].as_array().unwrap().len(), 2);
    assert!(paged.data()["total"].as_u64().unwrap() >= 5);
    let future = get("since=2999-01-01T00:00:00Z".to_owned()).await;
    assert_eq!(future.data()["total"], 0);

    let backwards = get("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z".to_owned()).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(backwards.fields(), ["until"]);
    let (_, technician) = app.user_with_role("erin", "technician").await;
    let refused = app.get("/api/v1/audit-logs/", &technician).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_reused_refresh_token_is_recorded() {
    let app = spawn().await;
    let tokens = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(app.refresh(&tokens.refresh).await.status, StatusCode::OK);
    assert_eq!(
        app.refresh(&tokens.refresh).await.status,
        StatusCode::UNAUTHORIZED
    );
    let admin = app.admin().await;
    let reuse = app
        .get("/api/v1/audit-logs/?action=auth.refresh_reuse", &admin)
        .await;
    assert_eq!(reuse.data()["total"], 1);
    assert_eq!(reuse.data()["items"][0]["success"], false);
}

#[actix_web::test]
async fn the_first_admin_and_any_name_a_login_tried_are_recorded() {
    let app = spawn().await;
    // A form login whose user name holds a NUL: refused, and still in the log, readably.
    let tried = TestRequest::default()
        .method(Method::POST)
        .uri("/api/v1/auth/login")
        .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
        .set_payload("username=ad%00min&password=whatever+it+is");
    assert_eq!(app.send(tried).await.status, StatusCode::UNAUTHORIZED);
    let admin = app.admin().await;
    let log = app.get("/api/v1/audit-logs?per_page=100", &admin).await;
    let entries = log.data()["items"].as_array().unwrap().clone();
    let first = entries
        .iter()
        .find(|entry| entry["action"] == "user.create")
        .expect("the first admin's creation is audited");
    assert_eq!(first["actor_name"], "slimrmm-server");
    assert_eq!(first["details"]["first_admin"], true);
    assert!(
        entries.iter().any(|entry| entry["action"] == "auth.login"
            && entry["success"] == false
            && entry["actor_name"] == "ad␀min"),
        "{entries:?}"
    );
}
