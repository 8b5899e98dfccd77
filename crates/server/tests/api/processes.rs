//! Server processes know each other's liveness: when one dies, the commands it had sent are
//! settled by a survivor within about half a minute, not at their deadline.

use actix_web::http::StatusCode;
use serde_json::{Value, json};
use slimrmm_agent_sim::{AgentMemory, AgentSocket, answer};
use slimrmm_domain::agent::AgentId;

use crate::helpers::{serve_stoppable, spawn};
use crate::live::{hello, request};

#[actix_web::test]
async fn commands_sent_by_a_process_that_died_are_requeued_or_failed_by_a_survivor() {
    let app = spawn().await;
    let process_a = app.serve();
    let second = slimrmm_server::wiring::assemble(&app.config, app.db.pool())
        .await
        .unwrap();
    let second_tasks = second.start_background(&app.config);
    let (process_b, b_server) = serve_stoppable(&second.state);
    let admin = app.admin().await;
    let uuid = app.approved_agent("pc-1").await;
    let mut socket = AgentSocket::connect(&process_b, uuid).await.unwrap();
    hello(&mut socket).await;
    eventually!(
        second
            .state
            .connections
            .contains(AgentId(uuid))
            .then_some(())
    );
    eventually!(
        (app.db
            .query_i64("SELECT count(*) AS value FROM server_processes")
            == 2)
            .then_some(())
    );

    let action = |body: Value| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let reply = app
                .post(&format!("/api/v1/agents/{uuid}/action"), Some(&admin), body)
                .await;
            assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
            reply.data()["id"].as_str().unwrap().to_owned()
        }
    };
    let ping = action(json!({"action": "ping"})).await;
    let restart = action(json!({"action": "restart"})).await;
    let mut delivered = [request(&mut socket).await, request(&mut socket).await];
    delivered.sort_by_key(|frame| frame["action"].as_str().unwrap().to_owned());
    assert_eq!(
        (&delivered[0]["action"], &delivered[1]["action"]),
        (&json!("ping"), &json!("restart"))
    );

    // Process B dies: no goodbye, no disconnect handling, its beat stops.
    b_server.stop(false).await;
    drop(second_tasks);
    let b = second.state.gateway.process();
    let a = app.state.gateway.process();
    // Twenty seconds pass: B's last beat is old; A has beaten steadily all along.
    app.db.execute(&format!(
        "UPDATE server_processes SET heartbeat_at = now() - interval '30 seconds' WHERE id = '{b}';
         UPDATE server_processes SET started_at = now() - interval '1 hour' WHERE id = '{a}';"
    ));
    app.state.gateway.sweep().await.unwrap();

    let execution = |id: &str| {
        let (app, admin, id) = (&app, admin.clone(), id.to_owned());
        async move {
            app.get(&format!("/api/v1/executions/{id}"), &admin)
                .await
                .data()
                .clone()
        }
    };
    let failed = execution(&restart).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("server process that sent this command stopped"),
        "{failed}"
    );
    assert_eq!(execution(&ping).await["status"], "queued");
    assert_eq!(
        app.db.query_i64(&format!(
            "SELECT count(*) AS value FROM server_processes WHERE id = '{b}'"
        )),
        0
    );

    // The agent reconnects, to A: the read-only command is sent again and answered.
    let mut socket = AgentSocket::connect(&process_a, uuid).await.unwrap();
    hello(&mut socket).await;
    let again = request(&mut socket).await;
    assert_eq!(again["action"], "ping");
    for reply in answer(&again, &mut AgentMemory::default()) {
        socket.send(&reply).await.unwrap();
    }
    let done = eventually!({
        let done = execution(&ping).await;
        (done["status"] == "completed").then_some(done)
    });
    assert_eq!(done["attempts"], 2);
}

#[actix_web::test]
async fn after_a_database_outage_nobody_is_declared_dead_at_once() {
    let app = spawn().await;
    eventually!(
        (app.db
            .query_i64("SELECT count(*) AS value FROM server_processes")
            == 1)
            .then_some(())
    );
    // Another process whose beat is old, as every beat is right after an outage.
    app.db.execute(
        "INSERT INTO server_processes (id, hostname, pid, started_at, heartbeat_at) \
         VALUES (gen_random_uuid(), 'peer', 1, now() - interval '1 hour', now() - interval '1 minute');
         UPDATE server_processes SET heartbeat_at = now() - interval '1 minute'",
    );
    // This process's own beat after the outage starts a new steady period...
    app.state.gateway.beat().await.unwrap();
    assert_eq!(app.state.gateway.settle_dead_processes().await.unwrap(), 0);
    // ... and only once it has beaten steadily for as long as a process may be silent does it
    // judge the others.
    let a = app.state.gateway.process();
    app.db.execute(&format!(
        "UPDATE server_processes SET started_at = now() - interval '1 minute' WHERE id = '{a}'"
    ));
    assert_eq!(app.state.gateway.settle_dead_processes().await.unwrap(), 1);
}
