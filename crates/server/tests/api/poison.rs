//! One agent's garbage never hurts the others: a hundred agents keep heartbeating while one
//! sends U+0000 in every kind of message.

use actix_web::http::StatusCode;
use serde_json::{Value, json};
use slimrmm_agent_sim::{AgentSocket, stats_heartbeat};

use crate::helpers::spawn;
use crate::live::{hello, request};

const HEALTHY: usize = 100;

/// Each healthy agent reports `round * 1000 + i` as its process count; how many of them the
/// stored state shows at `round` or later.
fn updated(app_db: &slimrmm_test_db::TestDatabase, round: u64) -> i64 {
    app_db.query_i64(&format!(
        "SELECT count(*) AS value FROM agent_state \
         WHERE (stats->>'process_count')::bigint >= {}",
        round * 1000
    ))
}

#[actix_web::test]
async fn an_agent_sending_nul_in_every_message_kind_hurts_nobody_and_is_stored_readably() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": true}))
        .await;
    let mut healthy = Vec::new();
    for i in 0..HEALTHY {
        let uuid: uuid::Uuid = app
            .enroll(&key, &format!("pc-{i}"))
            .await
            .uuid
            .parse()
            .unwrap();
        let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
        hello(&mut socket).await;
        healthy.push(socket);
    }
    let poisoned: uuid::Uuid = app.enroll(&key, "bad-pc").await.uuid.parse().unwrap();
    let mut bad = AgentSocket::connect(&base, poisoned).await.unwrap();
    hello(&mut bad).await;
    eventually!(
        app.state
            .connections
            .contains(slimrmm_domain::agent::AgentId(poisoned))
            .then_some(())
    );

    let action = |body: Value| {
        let path = format!("/api/v1/agents/{poisoned}/action");
        let app = &app;
        let admin = admin.clone();
        async move {
            let reply = app.post(&path, Some(&admin), body).await;
            assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
            reply.data()["id"].as_str().unwrap().to_owned()
        }
    };
    let ping = action(json!({"action": "ping"})).await;
    let ping_frame = request(&mut bad).await;
    let logs = action(json!({"action": "pull_logs"})).await;
    let logs_frame = request(&mut bad).await;
    let script = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Environment", "script_type": "bash", "content": "cat /proc/1/environ"}),
        )
        .await;
    let script_id = script.data()["id"].as_str().unwrap().to_owned();
    let run = app
        .post(
            &format!("/api/v1/scripts/{script_id}/execute"),
            Some(&admin),
            json!({"agent_uuids": [poisoned]}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let script_frame = request(&mut bad).await;
    assert_eq!(script_frame["action"], "execute_script");

    let poison = [
        json!({"action": "heartbeat", "type": "full", "agent_version": "2.3.14\u{0}",
            "serial_number": "SN\u{0}1", "external_ip": "\u{0}",
            "stats": {"cpu_percent": 5, "timezone": "Europe/\u{0}Berlin", "\u{0}": 1},
            "docker": {"available": true, "version": "27\u{0}"}}),
        json!({"action": "ping", "request_id": ping_frame["request_id"], "success": true,
            "data": {"pong": "o\u{0}k"}}),
        json!({"action": "logs_result", "request_id": logs_frame["request_id"], "success": true,
            "data": {"logs": [{"msg": "a\u{0}b", "level": "info"}]}}),
        json!({"action": "script_execution_result", "execution_id": script_frame["execution_id"],
            "status": "completed", "exit_code": 0, "output": "PATH=/bin\u{0}HOME=/root\u{0}",
            "error_output": "", "duration_ms": 3}),
        json!({"action": "threshold_alert", "metric": "disk", "severity": "critical",
            "current_value": 97.0, "threshold": 95, "duration_seconds": 120,
            "message": "disk /\u{0} is full"}),
        json!({"action": "inventory_change", "change_type": "software_change",
            "changes": [{"type": "installed", "name": "vim\u{0}", "version": "9.1\u{0}"}]}),
        json!({"action": "set_maintenance", "enabled": false, "reason": "\u{0}"}),
        json!({"action": "tamper\u{0}alert", "type": "\u{0}"}),
    ];
    for round in 1..=2u64 {
        for frame in &poison {
            bad.send(frame).await.unwrap();
        }
        for (i, socket) in healthy.iter_mut().enumerate() {
            let marker = round * 1000 + i as u64;
            socket
                .send(&stats_heartbeat("2.3.14", 10.0, marker))
                .await
                .unwrap();
        }
        for frame in &poison {
            bad.send(frame).await.unwrap();
        }
        eventually!((updated(&app.db, round) == HEALTHY as i64).then_some(()));
    }

    // The poisoned answers settled their executions, readably.
    let execution = |id: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            eventually!({
                let reply = app.get(&format!("/api/v1/executions/{id}"), &admin).await;
                (reply.data()["status"] == "completed").then(|| reply.data().clone())
            })
        }
    };
    assert_eq!(execution(ping).await["result"]["pong"], "o␀k");
    assert_eq!(execution(logs).await["result"]["logs"][0]["msg"], "a␀b");
    let script_run = execution(script_frame["request_id"].as_str().unwrap().to_owned()).await;
    assert_eq!(script_run["result"]["output"], "PATH=/bin␀HOME=/root␀");

    let alerts = eventually!({
        let reply = app.get("/api/v1/alerts", &admin).await;
        (reply.data()["total"] == 4).then(|| reply.data().clone())
    });
    assert_eq!(alerts["items"][0]["message"], "disk /␀ is full");
    let software = app
        .get(&format!("/api/v1/agents/{poisoned}/software"), &admin)
        .await;
    assert!(
        software.body.to_string().contains("vim␀"),
        "{}",
        software.body
    );
    let state = app
        .get(&format!("/api/v1/agents/{poisoned}/state"), &admin)
        .await;
    assert_eq!(state.data()["stats"]["timezone"], "Europe/␀Berlin");
    assert_eq!(state.data()["blocks"]["docker"]["version"], "27␀");
    let agent = app.get(&format!("/api/v1/agents/{poisoned}"), &admin).await;
    assert_eq!(agent.data()["status"], "online");
    assert_eq!(agent.data()["serial_number"], "SN␀1");

    // Nothing had to be dropped: the edge made every frame storable.
    let text = crate::metrics::scrape(&app).await;
    for kind in ["heartbeat", "reply", "alert", "inventory", "maintenance"] {
        let series =
            format!(r#"slimrmm_agent_records_dropped_total{{kind="{kind}",reason="unstorable"}}"#);
        assert_eq!(crate::metrics::value(&text, &series), Some(0.0), "{text}");
    }
}
