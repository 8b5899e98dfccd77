//! `Idempotency-Key`: a client that retries a command after losing the answer gets the first
//! answer again, never a second command.

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{Reply, spawn};

fn keyed(path: &str, token: &str, key: &str, body: Value) -> TestRequest {
    TestRequest::default()
        .method(Method::POST)
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Idempotency-Key", key))
        .set_json(body)
}

fn replayed(reply: &Reply) -> bool {
    reply
        .headers
        .get("Idempotent-Replayed")
        .is_some_and(|value| value == "true")
}

#[actix_web::test]
async fn a_retried_command_is_answered_again_never_sent_twice() {
    let app = spawn().await;
    let admin = app.admin().await;
    let technician = app.user_with_role("tech", "technician").await.1;
    let agent = app.approved_agent("pc-1").await;
    let path = format!("/api/v1/agents/{agent}/action");
    let count = |action: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let reply = app
                .get(
                    &format!("/api/v1/executions?agent_uuid={agent}&action={action}"),
                    &admin,
                )
                .await;
            reply.data()["total"].as_u64().unwrap()
        }
    };

    let first = app
        .send(keyed(
            &path,
            &technician,
            "retry-1",
            json!({"action": "ping"}),
        ))
        .await;
    assert_eq!(first.status, StatusCode::ACCEPTED, "{}", first.body);
    assert!(!replayed(&first));
    let again = app
        .send(keyed(
            &path,
            &technician,
            "retry-1",
            json!({"action": "ping"}),
        ))
        .await;
    assert_eq!(again.status, StatusCode::ACCEPTED);
    assert!(replayed(&again));
    assert_eq!(again.body, first.body, "the first answer, word for word");
    assert_eq!(count("ping").await, 1);

    // The same key for another request is refused; another user's key is their own.
    let other = app
        .send(keyed(
            &path,
            &technician,
            "retry-1",
            json!({"action": "list_services"}),
        ))
        .await;
    assert_eq!(other.fields(), ["Idempotency-Key"]);
    let theirs = app
        .send(keyed(&path, &admin, "retry-1", json!({"action": "ping"})))
        .await;
    assert!(!replayed(&theirs));
    assert_eq!(count("ping").await, 2);

    // Copies racing each other: one runs, the others wait for it or are told it runs.
    let racing = (0..4).map(|_| {
        app.send(keyed(
            &path,
            &technician,
            "race",
            json!({"action": "list_processes"}),
        ))
    });
    let answers = futures_util::future::join_all(racing).await;
    for answer in &answers {
        assert!(
            [StatusCode::ACCEPTED, StatusCode::CONFLICT].contains(&answer.status),
            "{}",
            answer.body
        );
    }
    assert_eq!(count("list_processes").await, 1);

    // Errors are answers too: a retry gets the same refusal.
    let unknown = format!("/api/v1/agents/{}/action", uuid::Uuid::new_v4());
    let missing = app
        .send(keyed(
            &unknown,
            &technician,
            "gone",
            json!({"action": "ping"}),
        ))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let missing_again = app
        .send(keyed(
            &unknown,
            &technician,
            "gone",
            json!({"action": "ping"}),
        ))
        .await;
    assert_eq!(
        (missing_again.status, replayed(&missing_again)),
        (StatusCode::NOT_FOUND, true)
    );

    // Keys are kept a day; after that the key is free again.
    app.db
        .execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'");
    let later = app
        .send(keyed(
            &path,
            &technician,
            "retry-1",
            json!({"action": "ping"}),
        ))
        .await;
    assert!(!replayed(&later));
    assert_eq!(count("ping").await, 3);

    let bad = app
        .send(keyed(
            &path,
            &technician,
            "has space",
            json!({"action": "ping"}),
        ))
        .await;
    assert_eq!(bad.fields(), ["Idempotency-Key"]);
}

#[actix_web::test]
async fn script_and_policy_runs_take_a_key_too() {
    let app = spawn().await;
    let admin = app.admin().await;
    let agent = app.approved_agent("pc-1").await;
    let script = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Check", "script_type": "bash", "content": "echo ok"}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/scripts/{script}/execute");
    let body = json!({"agent_uuids": [agent]});
    let first = app.send(keyed(&path, &admin, "s-1", body.clone())).await;
    let again = app.send(keyed(&path, &admin, "s-1", body)).await;
    assert_eq!(
        (first.status, again.status),
        (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
    );
    assert!(replayed(&again));
    assert_eq!(first.body, again.body);
    let runs = app
        .get(&format!("/api/v1/scripts/{script}/executions"), &admin)
        .await;
    assert_eq!(runs.data()["total"], 1);

    let policy = app
        .post(
            "/api/v1/policies",
            Some(&admin),
            json!({"name": "Now", "targets": {"all": true}}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/policies/{policy}/execute");
    let first = app.send(keyed(&path, &admin, "p-1", json!({}))).await;
    let again = app.send(keyed(&path, &admin, "p-1", json!({}))).await;
    assert_eq!(
        (first.status, again.status),
        (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
    );
    assert!(replayed(&again));
    let runs = app
        .get(&format!("/api/v1/policies/{policy}/runs"), &admin)
        .await;
    assert_eq!(runs.data()["total"], 1);
}
