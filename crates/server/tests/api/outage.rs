//! Nothing an agent delivered is lost because the database blinked: answers, alerts and
//! inventory changes that arrive while PostgreSQL is down are kept and written when it is back,
//! and `/metrics` keeps answering meanwhile. Against a PostgreSQL of the test's own, stopped
//! and started again.

use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};
use slimrmm_agent_sim::{AgentMemory, AgentSocket, answer};
use slimrmm_domain::agent::AgentId;
use slimrmm_server::wiring;
use slimrmm_test_db::Cluster;

use crate::helpers::{ADMIN, ADMIN_PASSWORD, TEST_MASTER_KEY, serve};
use crate::live::hello;

const COMMANDS: usize = 8;

#[actix_web::test]
async fn answers_and_alerts_during_an_outage_are_written_when_the_database_is_back() {
    let cluster = Cluster::start();
    let mut config = slimrmm_server::config::Config::defaults();
    config.database_url = cluster.url("slimrmm").into();
    config.admin_password = Some(ADMIN_PASSWORD.to_owned().into());
    config.secret_key = Some(TEST_MASTER_KEY.to_owned().into());
    config.debug = true;
    let generous = std::num::NonZeroU32::new(1_000_000).unwrap();
    config.rate_limit_per_minute = generous;
    config.auth_rate_limit_per_minute = generous;
    config.agent_rate_limit_per_minute = generous;
    let db = wiring::prepare_database(&config).await.unwrap();
    let assembly = wiring::assemble(&config, db).await.unwrap();
    let _background = assembly.start_background(&config);
    wiring::bootstrap_admin(&config, &assembly.state.users)
        .await
        .unwrap();
    let state = assembly.state.clone();
    let service = test::init_service(slimrmm_http::build_app(state.clone())).await;
    let base = serve(&state);
    let call = |request: TestRequest| {
        let service = &service;
        async move {
            let response = test::call_service(service, request.to_request()).await;
            let status = response.status();
            let body = test::read_body(response).await;
            (status, body)
        }
    };
    let json = |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).unwrap();

    let (_, login) = call(
        TestRequest::post()
            .uri("/api/v1/auth/login")
            .set_json(json!({"username": ADMIN, "password": ADMIN_PASSWORD})),
    )
    .await;
    let admin = json(&login)["access_token"].as_str().unwrap().to_owned();
    let bearer = ("Authorization", format!("Bearer {admin}"));
    let (_, token) = call(
        TestRequest::post()
            .uri("/api/v1/enrollment-tokens")
            .insert_header(bearer.clone())
            .set_json(json!({"name": "fleet", "auto_approve": true})),
    )
    .await;
    let key = json(&token)["data"]["token"].as_str().unwrap().to_owned();
    let (_, enrolled) = call(
        TestRequest::post()
            .uri("/api/v1/enrollment/register")
            .insert_header(("X-Registration-Key", key.as_str()))
            .set_json(json!({"os": "linux", "arch": "x86_64", "hostname": "db-1", "agent_version": "2.3.14"})),
    )
    .await;
    let uuid: uuid::Uuid = json(&enrolled)["uuid"].as_str().unwrap().parse().unwrap();
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    eventually!(state.connections.contains(AgentId(uuid)).then_some(()));

    let mut ids = Vec::new();
    for _ in 0..COMMANDS {
        let (status, created) = call(
            TestRequest::post()
                .uri(&format!("/api/v1/agents/{uuid}/action"))
                .insert_header(bearer.clone())
                .set_json(json!({"action": "ping"})),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        ids.push(json(&created)["data"]["id"].as_str().unwrap().to_owned());
    }
    let mut frames = Vec::new();
    while frames.len() < COMMANDS {
        frames.push(crate::live::request(&mut socket).await);
    }

    // The database goes away; the agent answers everything, raises an alert and reports a
    // software change.
    cluster.stop();
    let mut memory = AgentMemory::default();
    for frame in &frames {
        for reply in answer(frame, &mut memory) {
            socket.send(&reply).await.unwrap();
        }
    }
    socket
        .send(&json!({"action": "threshold_alert", "metric": "disk", "severity": "critical",
            "current_value": 97.0, "threshold": 95, "duration_seconds": 120, "message": "disk / is full"}))
        .await
        .unwrap();
    socket
        .send(
            &json!({"action": "inventory_change", "change_type": "software_change",
            "changes": [{"type": "installed", "name": "htop", "version": "3.3"}]}),
        )
        .await
        .unwrap();
    eventually!((state.gateway.deferred() == COMMANDS + 2).then_some(()));

    // Monitoring still sees this process, and sees that the database is gone.
    let (status, text) = call(TestRequest::get().uri("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8_lossy(&text).to_string();
    assert_eq!(
        crate::metrics::value(&text, "slimrmm_database_up"),
        Some(0.0),
        "{text}"
    );
    assert_eq!(
        crate::metrics::value(&text, "slimrmm_agent_messages_deferred"),
        Some((COMMANDS + 2) as f64)
    );
    assert!(!text.contains("slimrmm_executions_active"), "{text}");

    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    cluster.resume();

    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut done = 0;
        for id in &ids {
            let (status, body) = call(
                TestRequest::get()
                    .uri(&format!("/api/v1/executions/{id}"))
                    .insert_header(bearer.clone()),
            )
            .await;
            if status == StatusCode::OK && json(&body)["data"]["status"] == "completed" {
                done += 1;
            }
        }
        if done == COMMANDS && state.gateway.deferred() == 0 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{done} of {COMMANDS} answers written, {} messages still kept",
            state.gateway.deferred()
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let (_, alerts) = call(
        TestRequest::get()
            .uri("/api/v1/alerts")
            .insert_header(bearer.clone()),
    )
    .await;
    assert_eq!(
        json(&alerts)["data"]["items"][0]["message"],
        "disk / is full"
    );
    let (_, software) = call(
        TestRequest::get()
            .uri(&format!("/api/v1/agents/{uuid}/software"))
            .insert_header(bearer.clone()),
    )
    .await;
    assert!(String::from_utf8_lossy(&software).contains("htop"));
    let (_, text) = call(TestRequest::get().uri("/metrics")).await;
    let text = String::from_utf8_lossy(&text).to_string();
    assert!(
        !text.contains(r#"reason="buffer_full"} 1"#),
        "nothing was dropped: {text}"
    );
}
