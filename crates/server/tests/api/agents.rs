//! The agents API: who may do what, and list behaviour over a few thousand agents.

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::spawn;

const SEEDED: u32 = 3000;

/// The seeded agents (`slimrmm_test_db::seed_agents_sql`) matching `keep`.
fn expected(keep: impl Fn(u32) -> bool) -> u64 {
    (1..=SEEDED).filter(|&i| keep(i)).count() as u64
}

fn total(reply: &crate::helpers::Reply) -> u64 {
    reply.data()["total"].as_u64().unwrap()
}

#[actix_web::test]
async fn filters_search_sorting_and_totals_over_thousands_of_agents() {
    let app = spawn().await;
    let viewer = app.user_with_role("viewer", "viewer").await.1;
    app.db.execute(&slimrmm_test_db::seed_agents_sql(SEEDED));

    let all = app.get("/api/v1/agents?per_page=100&page=3", &viewer).await;
    assert_eq!(
        (total(&all), all.data()["pages"].as_u64()),
        (u64::from(SEEDED), Some(30))
    );
    assert_eq!(
        all.data()["items"][0]["hostname"],
        "host-00201",
        "sorted by hostname by default"
    );

    let os = ["linux", "darwin", "windows"];
    let status = ["pending", "rejected", "online", "offline"];
    let linux = app.get("/api/v1/agents?os=linux", &viewer).await;
    assert_eq!(total(&linux), expected(|i| os[(i % 3) as usize] == "linux"));
    let online_windows = app
        .get("/api/v1/agents?status=online&os=windows", &viewer)
        .await;
    assert_eq!(
        total(&online_windows),
        expected(|i| status[(i % 4) as usize] == "online" && os[(i % 3) as usize] == "windows")
    );
    let db = app.get("/api/v1/agents?tag=db&per_page=7", &viewer).await;
    assert_eq!(
        (total(&db), db.data()["pages"].as_u64()),
        (expected(|i| i % 10 == 0), Some(43))
    );

    let host = app.get("/api/v1/agents?search=HOST-0012", &viewer).await;
    assert_eq!(
        total(&host),
        expected(|i| format!("host-{i:05}").contains("host-0012"))
    );
    let ip = app.get("/api/v1/agents?search=203.0.113.7", &viewer).await;
    assert_eq!(
        total(&ip),
        expected(|i| format!("203.0.113.{}", i % 250).starts_with("203.0.113.7"))
    );
    let subnet_only = app.get("/api/v1/agents?search=113.7", &viewer).await;
    assert_eq!(
        total(&subnet_only),
        0,
        "external IPs match from their start"
    );
    let serial = app.get("/api/v1/agents?search=sn2999", &viewer).await;
    assert_eq!(serial.data()["items"][0]["hostname"], "host-02999");
    let wildcard = app.get("/api/v1/agents?search=%25", &viewer).await;
    assert_eq!(
        total(&wildcard),
        0,
        "% is a literal character, not a wildcard"
    );

    let one = app.get("/api/v1/agents?per_page=1", &viewer).await;
    let uuid = one.data()["items"][0]["uuid"].as_str().unwrap().to_owned();
    let by_prefix = app
        .get(&format!("/api/v1/agents?search={}", &uuid[..13]), &viewer)
        .await;
    assert_eq!(
        by_prefix.data()["items"][0]["uuid"].as_str(),
        Some(uuid.as_str())
    );

    let newest = app
        .get(
            "/api/v1/agents?sort_by=created_at&sort_order=desc&per_page=2",
            &viewer,
        )
        .await;
    let names: Vec<Value> = newest.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["hostname"].clone())
        .collect();
    assert_eq!(names, [json!("host-00001"), json!("host-00002")]);
    for field in [
        "hostname",
        "status",
        "os",
        "agent_version",
        "last_seen_at",
        "created_at",
    ] {
        let reply = app
            .get(
                &format!("/api/v1/agents?sort_by={field}&sort_order=desc"),
                &viewer,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "sort_by={field}");
    }
    let refused = app
        .get("/api/v1/agents?sort_by=registration_token_digest", &viewer)
        .await;
    assert_eq!(refused.fields(), ["sort_by"]);
    assert!(
        refused.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("hostname, status, os")
    );
    assert_eq!(
        app.get("/api/v1/agents?status=asleep", &viewer)
            .await
            .fields(),
        ["status"]
    );
    assert_eq!(
        app.get("/api/v1/agents?os=beos", &viewer).await.fields(),
        ["os"]
    );
    assert_eq!(
        app.get("/api/v1/agents?tag=has%20space", &viewer)
            .await
            .fields(),
        ["tag"]
    );
}

#[actix_web::test]
async fn roles_decide_who_reads_labels_reviews_and_deletes_agents() {
    let app = spawn().await;
    let admin = app.admin().await;
    let viewer = app.user_with_role("viewer", "viewer").await.1;
    let technician = app.user_with_role("tech", "technician").await.1;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": false}))
        .await;
    let agent = app.enroll(&key, "pc-01").await;
    let path = format!("/api/v1/agents/{}", agent.uuid);

    assert_eq!(app.get(&path, &viewer).await.data()["status"], "pending");
    let label = json!({"display_name": "Reception", "tags": ["front", "desk"]});
    let reply = app
        .call(Method::PATCH, &path, Some(&viewer), Some(label.clone()))
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "FORBIDDEN")
    );
    let reply = app
        .call(Method::PATCH, &path, Some(&technician), Some(label))
        .await;
    assert_eq!(reply.data()["tags"], json!(["desk", "front"]));
    let bad = json!({"tags": ["fine", "not fine"]});
    assert_eq!(
        app.call(Method::PATCH, &path, Some(&technician), Some(bad))
            .await
            .fields(),
        ["tags"]
    );

    let approve = format!("{path}/approve");
    assert_eq!(
        app.post(&approve, Some(&technician), json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&approve, Some(&admin), json!({})).await.data()["status"],
        "offline"
    );
    let again = app.post(&approve, Some(&admin), json!({})).await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "INVALID_AGENT_STATE")
    );
    let reject = app
        .post(&format!("{path}/reject"), Some(&admin), json!({}))
        .await;
    assert_eq!(
        reject.code(),
        "INVALID_AGENT_STATE",
        "approved agents are deleted, not rejected"
    );

    assert_eq!(
        app.delete(&path, &technician).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, &viewer).await.status, StatusCode::NOT_FOUND);
    let unknown = format!("/api/v1/agents/{}", uuid::Uuid::new_v4());
    assert_eq!(app.delete(&unknown, &admin).await.code(), "AGENT_NOT_FOUND");
    // No agent has an id that is not a uuid.
    assert_eq!(
        app.get("/api/v1/agents/not-a-uuid", &viewer).await.code(),
        "NOT_FOUND"
    );
}

#[actix_web::test]
async fn only_admins_manage_enrollment_tokens() {
    let app = spawn().await;
    let admin = app.admin().await;
    let technician = app.user_with_role("tech", "technician").await.1;
    let body = json!({"name": "fleet", "auto_approve": true});
    let reply = app
        .post("/api/v1/enrollment-tokens", Some(&technician), body.clone())
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/enrollment-tokens", &technician)
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    let reply = app
        .post("/api/v1/enrollment-tokens", Some(&admin), body)
        .await;
    assert_eq!(reply.headers.get("cache-control").unwrap(), "no-store");
    let created = reply.data();
    assert!(created["token"].as_str().unwrap().len() >= 43);
    assert_eq!(
        (created["uses"].as_u64(), created["max_uses"].is_null()),
        (Some(0), true)
    );

    let past = json!({"name": "old", "auto_approve": true, "expires_at": "2020-01-01T00:00:00Z"});
    assert_eq!(
        app.post("/api/v1/enrollment-tokens", Some(&admin), past)
            .await
            .fields(),
        ["expires_at"]
    );
    let zero = json!({"name": "none", "auto_approve": true, "max_uses": 0});
    assert_eq!(
        app.post("/api/v1/enrollment-tokens", Some(&admin), zero)
            .await
            .fields(),
        ["max_uses"]
    );
    let nameless = json!({"name": " ", "auto_approve": true});
    assert_eq!(
        app.post("/api/v1/enrollment-tokens", Some(&admin), nameless)
            .await
            .fields(),
        ["name"]
    );
    assert_eq!(
        app.delete("/api/v1/enrollment-tokens/999", &admin)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
