//! Live events, and several server processes sharing one database.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use slimrmm_agent_sim::{AgentMemory, AgentSocket, answer};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{serve, spawn};
use crate::live::hello;

type EventStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe(base: &str, query: &str) -> EventStream {
    let url = format!(
        "{}/api/v1/ws/events?{query}",
        base.replacen("http", "ws", 1)
    );
    tokio_tungstenite::connect_async(url)
        .await
        .expect("subscribed")
        .0
}

/// The next event of `kind` within five seconds.
async fn next_event(stream: &mut EventStream, kind: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let message = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("no {kind} event within 5 s"))
            .expect("stream open")
            .expect("a frame");
        if let Message::Text(text) = message {
            let event: Value = serde_json::from_str(&text).unwrap();
            if event["type"] == kind {
                return event;
            }
        }
    }
}

#[actix_web::test]
async fn dashboards_see_agents_come_online_and_commands_complete() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("web-01").await;
    let other = app.approved_agent("web-02").await;
    let mut everything = subscribe(&base, &format!("token={admin}")).await;
    let mut only_other = subscribe(&base, &format!("token={admin}&agent={other}")).await;

    let newcomer = app.approved_agent("web-03").await;
    // The enrollments of web-01 and web-02 may still be on their way to the subscriber.
    let enrolled = loop {
        let event = next_event(&mut everything, "agent.enrolled").await;
        if event["data"]["agent_uuid"] == newcomer.to_string() {
            break event;
        }
        assert!(
            [uuid.to_string(), other.to_string()]
                .contains(&event["data"]["agent_uuid"].as_str().unwrap().to_owned()),
            "{event}"
        );
    };
    assert_eq!(enrolled["data"]["status"], "offline");

    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    let online = next_event(&mut everything, "agent.online").await;
    assert_eq!(online["data"]["agent_uuid"], uuid.to_string());
    assert!(online["ts"].is_string());

    let id = app
        .post(
            &format!("/api/v1/agents/{uuid}/action"),
            Some(&admin),
            json!({"action": "ping"}),
        )
        .await
        .data()["id"]
        .clone();
    let frame = socket
        .receive(Duration::from_secs(5))
        .await
        .unwrap()
        .unwrap();
    for reply in answer(&frame, &mut AgentMemory::default()) {
        socket.send(&reply).await.unwrap();
    }
    loop {
        let event = next_event(&mut everything, "execution.updated").await;
        if event["data"]["status"] == "completed" {
            assert_eq!(event["data"]["id"], id);
            break;
        }
    }
    socket
        .send(&slimrmm_agent_sim::stats_heartbeat("1", 1.0, 1))
        .await
        .unwrap();
    let heartbeat = next_event(&mut everything, "agent.heartbeat").await;
    assert_eq!(heartbeat["data"]["kind"], "stats");

    // The filtered subscriber saw none of it; it sees its own agent.
    let mut other_socket = AgentSocket::connect(&base, other).await.unwrap();
    hello(&mut other_socket).await;
    let event = next_event(&mut only_other, "agent.online").await;
    assert_eq!(
        event["data"]["agent_uuid"],
        other.to_string(),
        "no event about another agent came first"
    );
}

#[actix_web::test]
async fn subscribers_need_a_live_token_by_query_or_subprotocol() {
    let app = spawn().await;
    let base = app.serve();
    let ws = base.replacen("http", "ws", 1);
    assert!(
        tokio_tungstenite::connect_async(format!("{ws}/api/v1/ws/events"))
            .await
            .is_err()
    );
    assert!(
        tokio_tungstenite::connect_async(format!("{ws}/api/v1/ws/events?token=forged"))
            .await
            .is_err()
    );

    let tokens = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    let mut request = format!("{ws}/api/v1/ws/events")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        format!("bearer, {}", tokens.access).parse().unwrap(),
    );
    let (_, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the bearer subprotocol works");
    assert_eq!(response.headers()["sec-websocket-protocol"], "bearer");

    app.logout(&tokens.access).await;
    let revoked = format!("{ws}/api/v1/ws/events?token={}", tokens.access);
    assert!(
        tokio_tungstenite::connect_async(revoked).await.is_err(),
        "a revoked token is refused"
    );
}

#[actix_web::test]
async fn a_command_through_one_process_reaches_an_agent_connected_to_another() {
    let app = spawn().await;
    let process_a = app.serve();
    // A second server process on the same database, with its own connections and tasks.
    let second = slimrmm_server::wiring::assemble(&app.config, app.db.pool())
        .await
        .unwrap();
    let _second_tasks = second.start_background(&app.config);
    let process_b = serve(&second.state);
    let admin = app.admin().await;
    let uuid = app.approved_agent("remote").await;

    let mut events_on_b = subscribe(&process_b, &format!("token={admin}")).await;
    let mut socket = AgentSocket::connect(&process_a, uuid).await.unwrap();
    hello(&mut socket).await;
    let online = next_event(&mut events_on_b, "agent.online").await;
    assert_eq!(
        online["data"]["agent_uuid"],
        uuid.to_string(),
        "B's subscribers see what happens on A"
    );
    assert!(
        !second
            .state
            .connections
            .contains(slimrmm_domain::agent::AgentId(uuid))
    );

    // The command is created through process B (its REST API), the socket lives on A.
    let service_b =
        actix_web::test::init_service(slimrmm_http::build_app(second.state.clone())).await;
    let request = actix_web::test::TestRequest::post()
        .uri(&format!("/api/v1/agents/{uuid}/action"))
        .insert_header(("Authorization", format!("Bearer {admin}")))
        .set_json(json!({"action": "get_available_updates"}))
        .to_request();
    let created: Value = actix_web::test::call_and_read_body_json(&service_b, request).await;
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    let frame = socket
        .receive(Duration::from_secs(5))
        .await
        .unwrap()
        .expect("delivered through A");
    assert_eq!(frame["request_id"], id.as_str());
    for reply in answer(&frame, &mut AgentMemory::default()) {
        socket.send(&reply).await.unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let reply = app
            .get(&format!("/api/v1/agents/{uuid}/updates"), &admin)
            .await;
        if reply.data()["count"] == 1 {
            assert_eq!(reply.data()["items"][0]["category"], "security");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the updates were never stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn a_user_limited_to_one_client_hears_only_of_its_agents() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let alpha = crate::tenancy::tenant(&app, &admin, "Alpha", "alpha-01").await;
    let beta = crate::tenancy::tenant(&app, &admin, "Beta", "beta-01").await;
    let body = json!({"username": "alice", "email": "alice@example.com",
                      "password": crate::helpers::PASSWORD, "role": "viewer",
                      "client_ids": [alpha.client]});
    app.post("/api/v1/users", Some(&admin), body).await;
    let alice = app.login("alice", crate::helpers::PASSWORD).await.access;
    let mut events = subscribe(&base, &format!("token={alice}")).await;

    // Beta's command is announced first: were it let through, it would arrive first.
    for agent in [&beta.agent, &alpha.agent] {
        let queued = app
            .post(
                &format!("/api/v1/agents/{agent}/action"),
                Some(&admin),
                json!({"action": "ping"}),
            )
            .await;
        assert_eq!(queued.status, actix_web::http::StatusCode::ACCEPTED);
    }
    let heard = next_event(&mut events, "execution.updated").await;
    assert_eq!(heard["data"]["agent_uuid"], alpha.agent);
}
