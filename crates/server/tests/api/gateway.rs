//! The agent WebSocket end to end, with simulated agents speaking the real protocol.

use std::time::Duration;

use actix_web::http::{Method, StatusCode};
use serde_json::json;
use slimrmm_agent_sim::{
    AgentMemory, AgentSocket, answer, full_heartbeat, minimal_heartbeat, stats_heartbeat,
};
use uuid::Uuid;

use crate::helpers::spawn;
use crate::live::{WAIT, hello, request};

#[actix_web::test]
async fn unknown_pending_and_malformed_agents_are_refused_before_the_upgrade() {
    let app = spawn().await;
    let base = app.serve();
    assert!(AgentSocket::connect(&base, Uuid::new_v4()).await.is_err());
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "manual", "auto_approve": false}))
        .await;
    let pending = app.enroll(&key, "pending-pc").await;
    assert!(
        AgentSocket::connect(&base, pending.uuid.parse().unwrap())
            .await
            .is_err()
    );
    let reply = app
        .call(Method::GET, "/api/v1/ws/agent?uuid=nope", None, None)
        .await;
    assert_eq!(reply.fields(), ["uuid"]);
    let reply = app
        .call(
            Method::GET,
            &format!("/api/v1/ws/agent?uuid={}", pending.uuid),
            None,
            None,
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "AGENT_NOT_APPROVED")
    );
}

#[actix_web::test]
async fn heartbeats_of_every_kind_become_status_state_and_metrics() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("web-01").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    let agent_path = format!("/api/v1/agents/{uuid}");
    eventually!((app.get(&agent_path, &admin).await.data()["status"] == "online").then_some(()));

    socket
        .send(&full_heartbeat("2.3.15", 12.5, 1, true))
        .await
        .unwrap();
    let state_path = format!("{agent_path}/state");
    let state = eventually!({
        let reply = app.get(&state_path, &admin).await;
        (!reply.data().is_null()).then(|| reply.data().clone())
    });
    assert_eq!(state["heartbeat_kind"], "full");
    assert_eq!(state["blocks"]["docker"]["containers"], 3);
    assert_eq!(state["stats"]["cpu_percent"], 12.5);

    // Later heartbeats leave out the delta blocks: they are kept.
    socket
        .send(&stats_heartbeat("2.3.15", 30.0, 2))
        .await
        .unwrap();
    socket.send(&minimal_heartbeat("2.3.15")).await.unwrap();
    let state = eventually!({
        let reply = app.get(&state_path, &admin).await;
        (reply.data()["heartbeat_kind"] == "minimal").then(|| reply.data().clone())
    });
    assert_eq!(
        state["blocks"]["security_info"]["firewall_active"], true,
        "blocks survive heartbeats without them"
    );
    assert_eq!(
        state["stats"]["process_count"], 2,
        "a minimal heartbeat keeps the last stats"
    );

    let agent = app.get(&agent_path, &admin).await;
    assert_eq!(agent.data()["agent_version"], "2.3.15");
    assert_eq!(agent.data()["external_ip"], "203.0.113.4");
    assert_eq!(agent.data()["serial_number"], "SIM-0001");

    let metrics = app
        .get(&format!("{agent_path}/metrics?resolution=1m"), &admin)
        .await;
    // The two heartbeats may fall in one minute or in two (a test can straddle a minute).
    let points = metrics.data().as_array().unwrap();
    assert!((1..=2).contains(&points.len()), "{}", metrics.body);
    let latest = points.last().unwrap();
    assert_eq!(latest["cpu_max"], 30.0, "a minute keeps its latest sample");
    let with_disks = points
        .iter()
        .find(|point| point["disks"][1]["mountpoint"] == "/data")
        .unwrap_or_else(|| {
            panic!(
                "no minute with the full heartbeat's disks: {}",
                metrics.body
            )
        });
    assert_eq!(with_disks["disks"][1]["used_avg"], 80.0);
    let hourly = app
        .get(&format!("{agent_path}/metrics?resolution=1h"), &admin)
        .await;
    assert!((1..=2).contains(&hourly.data().as_array().unwrap().len()));
    let bad = app
        .get(&format!("{agent_path}/metrics?resolution=2m"), &admin)
        .await;
    assert_eq!(bad.fields(), ["resolution"]);

    socket.close().await;
    eventually!((app.get(&agent_path, &admin).await.data()["status"] == "offline").then_some(()));
}

#[actix_web::test]
async fn a_command_reaches_an_online_agent_and_its_answer_is_stored() {
    let app = spawn().await;
    let base = app.serve();
    let technician = app.user_with_role("tech", "technician").await.1;
    let uuid = app.approved_agent("web-01").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    let path = format!("/api/v1/agents/{uuid}/action");
    eventually!(
        app.state
            .connections
            .contains(slimrmm_domain::agent::AgentId(uuid))
            .then_some(())
    );

    let reply = app
        .post(
            &path,
            Some(&technician),
            json!({"action": "get_software_inventory"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let id = reply.data()["id"].as_str().unwrap().to_owned();
    let frame = request(&mut socket).await;
    assert_eq!(frame["action"], "get_software_inventory");
    assert_eq!(frame["request_id"], id.as_str());
    assert!(
        frame["timestamp"].is_i64(),
        "an integer unix timestamp: {frame}"
    );
    let mut memory = AgentMemory::default();
    for reply in answer(&frame, &mut memory) {
        socket.send(&reply).await.unwrap();
    }
    let execution = eventually!({
        let reply = app
            .get(&format!("/api/v1/executions/{id}"), &technician)
            .await;
        (reply.data()["status"] == "completed").then(|| reply.data().clone())
    });
    assert_eq!(execution["result"]["count"], 2);
    assert_eq!(execution["attempts"], 1);
    let software = app
        .get(&format!("/api/v1/agents/{uuid}/software"), &technician)
        .await;
    assert_eq!(software.data()["count"], 2);
    assert_eq!(software.data()["source"], "apt");

    // An inventory change updates the stored list.
    let change = json!({"action": "inventory_change", "change_type": "software_change", "changes": [
        {"type": "removed", "name": "vim", "timestamp": "2026-11-27T10:00:00Z"},
        {"type": "installed", "name": "htop", "version": "3.3", "timestamp": "2026-11-27T10:00:00Z"}
    ], "hash": "x"});
    socket.send(&change).await.unwrap();
    eventually!({
        let software = app
            .get(&format!("/api/v1/agents/{uuid}/software"), &technician)
            .await;
        let names: Vec<_> = software.data()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].clone())
            .collect();
        (names == [json!("openssl"), json!("htop")]).then_some(())
    });

    let unknown = app
        .post(&path, Some(&technician), json!({"action": "format_disk"}))
        .await;
    assert_eq!(unknown.fields(), ["action"]);
    assert!(
        unknown.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ping, restart")
    );
    let bad = app
        .post(
            &path,
            Some(&technician),
            json!({"action": "restart", "params": {"delay": "soon"}}),
        )
        .await;
    assert_eq!(bad.fields(), ["params.delay"]);
    let viewer = app.user_with_role("viewer", "viewer").await.1;
    assert_eq!(
        app.post(&path, Some(&viewer), json!({"action": "ping"}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn commands_for_offline_agents_wait_expire_or_are_cancelled() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("laptop").await;
    let path = format!("/api/v1/agents/{uuid}/action");

    let waiting = app
        .post(&path, Some(&admin), json!({"action": "ping"}))
        .await;
    let waiting_id = waiting.data()["id"].as_str().unwrap().to_owned();
    assert_eq!(waiting.data()["status"], "queued");
    let expiring = app
        .post(
            &path,
            Some(&admin),
            json!({"action": "list_services", "expires_in": 1}),
        )
        .await;
    let expiring_id = expiring.data()["id"].as_str().unwrap().to_owned();
    let cancelled = app
        .post(&path, Some(&admin), json!({"action": "list_processes"}))
        .await;
    let cancelled_id = cancelled.data()["id"].as_str().unwrap().to_owned();
    let reply = app
        .post(
            &format!("/api/v1/executions/{cancelled_id}/cancel"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(reply.data()["status"], "cancelled");
    let again = app
        .post(
            &format!("/api/v1/executions/{cancelled_id}/cancel"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "NOT_QUEUED")
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    app.state.gateway.sweep().await.unwrap();
    let expired = app
        .get(&format!("/api/v1/executions/{expiring_id}"), &admin)
        .await;
    assert_eq!(expired.data()["status"], "expired");

    // The agent comes online: only the waiting command is delivered.
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    let frame = request(&mut socket).await;
    assert_eq!(
        (frame["action"].as_str(), frame["request_id"].as_str()),
        (Some("ping"), Some(waiting_id.as_str()))
    );
    assert_eq!(
        socket.receive(Duration::from_millis(500)).await.unwrap(),
        None,
        "nothing else was sent"
    );

    let listed = app
        .get(
            &format!("/api/v1/executions?agent_uuid={uuid}&status=sent"),
            &admin,
        )
        .await;
    assert_eq!(listed.data()["total"], 1);
    let bad = app.get("/api/v1/executions?status=lost", &admin).await;
    assert_eq!(bad.fields(), ["status"]);
}

#[actix_web::test]
async fn a_lost_connection_fails_mutating_commands_and_requeues_read_only_ones() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("server").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    eventually!(
        app.state
            .connections
            .contains(slimrmm_domain::agent::AgentId(uuid))
            .then_some(())
    );
    let path = format!("/api/v1/agents/{uuid}/action");
    let restart = app
        .post(&path, Some(&admin), json!({"action": "restart"}))
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ping = app
        .post(&path, Some(&admin), json!({"action": "ping"}))
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let first = request(&mut socket).await;
    let second = request(&mut socket).await;
    let mut sent: Vec<_> = [&first, &second]
        .iter()
        .map(|f| f["action"].as_str().unwrap().to_owned())
        .collect();
    sent.sort();
    assert_eq!(sent, ["ping", "restart"]);
    // The agent read both (it remembers their request ids) but the connection drops before
    // it answers.
    let mut memory = AgentMemory::default();
    answer(&first, &mut memory);
    answer(&second, &mut memory);
    socket.close().await;
    let failed = eventually!({
        let reply = app
            .get(&format!("/api/v1/executions/{restart}"), &admin)
            .await;
        (reply.data()["status"] == "failed").then(|| reply.data().clone())
    });
    assert!(failed["error"].as_str().unwrap().contains("not re-sent"));
    let requeued = app.get(&format!("/api/v1/executions/{ping}"), &admin).await;
    assert_eq!(requeued.data()["status"], "queued");

    // On reconnect only the read-only command comes again, never the restart.
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    let frame = request(&mut socket).await;
    assert_eq!(frame["action"], "ping");
    assert_eq!(
        frame["request_id"],
        format!("{ping}.2"),
        "a fresh request id, or the agent refuses it as a replay"
    );
    assert_eq!(
        socket.receive(Duration::from_millis(500)).await.unwrap(),
        None
    );
    for reply in answer(&frame, &mut memory) {
        socket.send(&reply).await.unwrap();
    }
    let done = eventually!({
        let reply = app.get(&format!("/api/v1/executions/{ping}"), &admin).await;
        (reply.data()["status"] == "completed").then(|| reply.data().clone())
    });
    assert_eq!(done["attempts"], 2);
}

#[actix_web::test]
async fn answers_out_of_order_and_twice_are_stored_once() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("db").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    eventually!(
        app.state
            .connections
            .contains(slimrmm_domain::agent::AgentId(uuid))
            .then_some(())
    );
    let path = format!("/api/v1/agents/{uuid}/action");
    let a = app
        .post(&path, Some(&admin), json!({"action": "ping"}))
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let frame_a = request(&mut socket).await;
    let b = app
        .post(
            &path,
            Some(&admin),
            json!({"action": "custom_command", "params": {"command": "uptime"}}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let frame_b = request(&mut socket).await;
    let mut memory = AgentMemory::default();
    let replies_b = answer(&frame_b, &mut memory);
    let replies_a = answer(&frame_a, &mut memory);
    for reply in replies_b.iter().chain(&replies_a) {
        socket.send(reply).await.unwrap();
    }
    // The same answer again, altered: it must not overwrite the first.
    let mut late = replies_a[0].clone();
    late["data"] = json!({"pong": "second"});
    socket.send(&late).await.unwrap();
    for id in [&a, &b] {
        eventually!(
            (app.get(&format!("/api/v1/executions/{id}"), &admin)
                .await
                .data()["status"]
                == "completed")
                .then_some(())
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let first = app.get(&format!("/api/v1/executions/{a}"), &admin).await;
    assert_eq!(first.data()["result"]["pong"], "ok");
    let command = app.get(&format!("/api/v1/executions/{b}"), &admin).await;
    assert_eq!(command.data()["result"]["stdout"], "simulated\n");
}

#[actix_web::test]
async fn oversized_and_malformed_frames_hurt_only_their_connection() {
    let app = spawn().await;
    let mut state = app.state.clone();
    state.settings.agent_frame_limit = 64 * 1024;
    let base = crate::helpers::serve(&state);
    let admin = app.admin().await;
    let uuid = app.approved_agent("noisy").await;
    let other = app.approved_agent("quiet").await;
    let mut noisy = AgentSocket::connect(&base, uuid).await.unwrap();
    let mut quiet = AgentSocket::connect(&base, other).await.unwrap();
    hello(&mut noisy).await;
    hello(&mut quiet).await;

    noisy.send_text("{not json".into()).await.unwrap();
    noisy.send_text("[1,2,3]".into()).await.unwrap();
    noisy.send(&json!({"action": 5})).await.unwrap();
    noisy.send(&stats_heartbeat("1.0", 5.0, 7)).await.unwrap();
    let state_path = format!("/api/v1/agents/{uuid}/state");
    eventually!(
        (app.get(&state_path, &admin).await.data()["stats"]["process_count"] == 7).then_some(())
    );

    noisy
        .send_text(format!(
            "{{\"action\":\"heartbeat\",\"pad\":\"{}\"}}",
            "x".repeat(100 * 1024)
        ))
        .await
        .unwrap();
    let closed = noisy
        .closed(WAIT)
        .await
        .expect("the oversized frame closes the connection");
    assert_eq!(closed.code, Some(1009));

    quiet.send(&stats_heartbeat("1.0", 5.0, 9)).await.unwrap();
    let quiet_state = format!("/api/v1/agents/{other}/state");
    eventually!(
        (app.get(&quiet_state, &admin).await.data()["stats"]["process_count"] == 9).then_some(())
    );
}

#[actix_web::test]
async fn a_second_connection_replaces_the_first_and_shutdown_closes_with_1012() {
    let app = spawn().await;
    let base = app.serve();
    let uuid = app.approved_agent("twin").await;
    let mut first = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut first).await;
    eventually!(
        app.state
            .connections
            .contains(slimrmm_domain::agent::AgentId(uuid))
            .then_some(())
    );
    let mut second = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut second).await;
    let closed = first
        .closed(WAIT)
        .await
        .expect("the older connection is closed");
    assert_eq!(closed.code, Some(1008));
    assert_eq!(app.state.connections.len(), 1);
    let admin = app.admin().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let agent = app.get(&format!("/api/v1/agents/{uuid}"), &admin).await;
    assert_eq!(
        agent.data()["status"],
        "online",
        "the replaced connection does not take the agent offline"
    );

    app.state.connections.close_all(1012, "server restarting");
    let closed = second.closed(WAIT).await.expect("closed on shutdown");
    assert_eq!(closed.code, Some(1012));
}

#[actix_web::test]
async fn idle_connections_are_closed() {
    let app = spawn().await;
    let mut state = app.state.clone();
    state.settings.agent_idle_seconds = 1;
    let base = crate::helpers::serve(&state);
    let uuid = app.approved_agent("sleepy").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    let closed = socket
        .closed(WAIT)
        .await
        .expect("an idle connection is closed");
    assert_eq!(closed.code, Some(1000));
}

#[actix_web::test]
async fn alerts_are_stored_notified_and_acknowledged() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("hot").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    let alert = json!({"action": "threshold_alert", "metric": "cpu", "current_value": 97.5, "threshold": 95.0,
        "severity": "critical", "duration_seconds": 120, "timestamp": "2026-11-27T10:00:00Z", "message": "CPU usage critical"});
    socket.send(&alert).await.unwrap();
    let listed = eventually!({
        let reply = app.get("/api/v1/alerts?acknowledged=false", &admin).await;
        (reply.data()["total"] == 1).then(|| reply.data()["items"][0].clone())
    });
    assert_eq!(
        (listed["metric"].as_str(), listed["severity"].as_str()),
        (Some("cpu"), Some("critical"))
    );
    assert!(
        app.outbox_kinds()
            .await
            .contains(&"threshold_alert".to_owned())
    );
    let id = listed["id"].as_i64().unwrap();
    let viewer = app.user_with_role("viewer", "viewer").await.1;
    assert_eq!(
        app.post(
            &format!("/api/v1/alerts/{id}/ack"),
            Some(&viewer),
            json!({})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let acked = app
        .post(&format!("/api/v1/alerts/{id}/ack"), Some(&admin), json!({}))
        .await;
    assert!(acked.data()["acknowledged_at"].is_string());
    assert_eq!(
        app.get("/api/v1/alerts?acknowledged=false", &admin)
            .await
            .data()["total"],
        0
    );
}

#[actix_web::test]
async fn silent_agents_go_offline_and_then_overdue_once() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("mute").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    let path = format!("/api/v1/agents/{uuid}");
    eventually!((app.get(&path, &admin).await.data()["status"] == "online").then_some(()));
    // Pretend the last contact was long ago.
    app.db.execute(&format!(
        "UPDATE agents SET last_seen_at = now() - interval '2 hours' WHERE uuid = '{uuid}'"
    ));
    app.state.gateway.sweep().await.unwrap();
    let agent = app.get(&path, &admin).await;
    assert_eq!(
        (
            agent.data()["status"].as_str(),
            agent.data()["overdue"].as_bool()
        ),
        (Some("offline"), Some(true))
    );
    app.state.gateway.sweep().await.unwrap();
    let kinds = app.outbox_kinds().await;
    assert_eq!(
        kinds
            .iter()
            .filter(|kind| **kind == "agent_offline")
            .count(),
        1
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|kind| **kind == "agent_overdue")
            .count(),
        1,
        "once per transition"
    );

    // A heartbeat brings it back.
    socket.send(&stats_heartbeat("1.0", 1.0, 1)).await.unwrap();
    eventually!({
        let agent = app.get(&path, &admin).await;
        (agent.data()["status"] == "online" && agent.data()["overdue"] == false).then_some(())
    });
    let transitions = app.db.query_i64(&format!(
        "SELECT count(*) AS value FROM agent_status_events WHERE agent_uuid = '{uuid}'"
    ));
    assert_eq!(transitions, 4, "online, offline, overdue, online");
}

#[actix_web::test]
async fn deleting_an_agent_closes_its_connection_for_good() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("retired").await;
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    eventually!(
        app.state
            .connections
            .contains(slimrmm_domain::agent::AgentId(uuid))
            .then_some(())
    );
    assert_eq!(
        app.delete(&format!("/api/v1/agents/{uuid}"), &admin)
            .await
            .status,
        StatusCode::OK
    );
    let closed = socket
        .closed(WAIT)
        .await
        .expect("the deleted agent's connection is closed");
    assert_eq!(closed.code, Some(1008));
    assert!(
        AgentSocket::connect(&base, uuid).await.is_err(),
        "and it cannot connect again"
    );
}

#[actix_web::test]
async fn the_simulator_enrolls_and_runs_on_its_own() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "sim", "auto_approve": true}))
        .await;
    let uuid = slimrmm_agent_sim::enroll(&base, &key, "sim-1")
        .await
        .unwrap();
    let stats = std::sync::Arc::new(slimrmm_agent_sim::AutopilotStats::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let config = slimrmm_agent_sim::Autopilot {
        server: base.clone(),
        uuid,
        heartbeat_every: Duration::from_secs(1),
        agent_version: "2.3.14-sim".into(),
    };
    let running = tokio::spawn(slimrmm_agent_sim::autopilot(config, stats.clone(), stopped));
    let path = format!("/api/v1/agents/{uuid}/state");
    eventually!((app.get(&path, &admin).await.data()["heartbeat_kind"] == "full").then_some(()));
    let id = app
        .post(
            &format!("/api/v1/agents/{uuid}/action"),
            Some(&admin),
            json!({"action": "restart", "params": {"delay": 60}}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = eventually!({
        let reply = app.get(&format!("/api/v1/executions/{id}"), &admin).await;
        (reply.data()["status"] == "completed").then(|| reply.data().clone())
    });
    assert_eq!(done["result"]["status"], "restart_initiated");
    stop.send(true).unwrap();
    running.await.unwrap();
}

#[actix_web::test]
async fn a_backlog_reaches_a_reconnecting_agent_in_batches_its_rate_limit_accepts() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let uuid = app.approved_agent("backlogged").await;
    let path = format!("/api/v1/agents/{uuid}/action");
    for _ in 0..12 {
        let queued = app
            .post(
                &path,
                Some(&admin),
                json!({"action": "restart", "params": {"delay": 60}}),
            )
            .await;
        assert_eq!(queued.status, StatusCode::ACCEPTED);
    }
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    // The agent's command bucket holds 10 and refills 5 per second: the first batch is 8, and
    // the next comes no sooner than 2 s later (so 1.5 s of silence end the first), however
    // the delivery sweep falls.
    let mut frames = Vec::new();
    while let Some(frame) = socket.receive(Duration::from_millis(1500)).await.unwrap() {
        frames.push(frame);
    }
    assert_eq!(frames.len(), 8);
    // The rest follow with the delivery sweep (every 5 s), none twice.
    while frames.len() < 12 {
        let frame = socket
            .receive(Duration::from_secs(7))
            .await
            .unwrap()
            .expect("the rest of the backlog follows");
        frames.push(frame);
    }
    let mut ids: Vec<&str> = frames
        .iter()
        .map(|frame| frame["request_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 12);
}

#[actix_web::test]
async fn agents_beyond_the_cap_wait_outside_and_the_api_stays_open() {
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = crate::helpers::config_for(&db);
    config.max_agent_connections = Some(1);
    let app = crate::helpers::spawn_with(db, config).await;
    let base = app.serve();
    let admin = app.admin().await;
    let (first, second) = (
        app.approved_agent("first").await,
        app.approved_agent("second").await,
    );
    let mut socket = AgentSocket::connect(&base, first).await.unwrap();
    hello(&mut socket).await;
    eventually!((app.state.connections.len() == 1).then_some(()));

    let refused = AgentSocket::connect(&base, second).await.err().unwrap();
    let tokio_tungstenite::tungstenite::Error::Http(response) = refused else {
        panic!("not refused with an HTTP answer: {refused}");
    };
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(|value| value.as_bytes()),
        Some(&b"30"[..])
    );
    assert_eq!(
        app.get("/api/v1/agents", &admin).await.status,
        StatusCode::OK,
        "API clients still get in"
    );

    // Once the first leaves, the second is let in.
    drop(socket);
    eventually!(app.state.connections.is_empty().then_some(()));
    let mut socket = AgentSocket::connect(&base, second).await.unwrap();
    hello(&mut socket).await;
}

#[actix_web::test]
async fn a_process_admitting_no_agents_refuses_them_at_once_and_serves_the_api() {
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = crate::helpers::config_for(&db);
    config.agent_admissions = Some(0);
    let app = crate::helpers::spawn_with(db, config).await;
    let base = app.serve();
    let admin = app.admin().await;
    let agent = app.approved_agent("drained").await;
    let refused = AgentSocket::connect(&base, agent).await.err().unwrap();
    let tokio_tungstenite::tungstenite::Error::Http(response) = refused else {
        panic!("not refused with an HTTP answer: {refused}");
    };
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(
        response
            .headers()
            .get("retry-after")
            .map(|value| value.as_bytes()),
        Some(&b"10"[..])
    );
    let body: serde_json::Value =
        serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
    assert_eq!(body["code"], "AGENT_BUSY");
    assert_eq!(
        app.get("/api/v1/agents", &admin).await.status,
        StatusCode::OK
    );
}
