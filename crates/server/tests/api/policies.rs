//! Patch policies end to end: validation, runs over online and offline agents, scans, and the
//! scheduler across two server processes.

use actix_web::http::StatusCode;
use chrono::{DateTime, Duration as TimeDelta, Timelike, Utc};
use serde_json::{Value, json};
use slimrmm_agent_sim::{AgentMemory, AgentSocket, answer};

use crate::helpers::spawn;
use crate::live::{hello, request};

fn policy(name: &str) -> Value {
    json!({
        "name": name,
        "targets": {"tags": ["servers"]},
        "schedule": {"cron": "0 3 * * SUN", "timezone": "Europe/Berlin"},
    })
}

#[actix_web::test]
async fn policies_are_checked_field_by_field_and_scheduled() {
    let app = spawn().await;
    let admin = app.admin().await;
    let created = app
        .post("/api/v1/policies", Some(&admin), policy("Weekly"))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let data = created.data().clone();
    assert_eq!(
        data["categories"],
        json!(["security", "kernel", "standard"])
    );
    assert_eq!(data["reboot"]["enabled"], false);
    assert_eq!(data["timeout_seconds"], 600);
    assert_eq!(data["schedule"]["timezone"], "Europe/Berlin");
    let next: DateTime<Utc> = data["next_run_at"].as_str().unwrap().parse().unwrap();
    let berlin = next.with_timezone(&chrono_tz::Europe::Berlin);
    assert_eq!((berlin.hour(), berlin.minute()), (3, 0));
    assert!(next > Utc::now() && next < Utc::now() + TimeDelta::days(8));

    let taken = app
        .post("/api/v1/policies", Some(&admin), policy("WEEKLY"))
        .await;
    assert_eq!(
        (taken.status, taken.code()),
        (StatusCode::CONFLICT, "POLICY_NAME_TAKEN")
    );
    let invalid = app
        .post(
            "/api/v1/policies",
            Some(&admin),
            json!({
                "name": "Broken",
                "targets": {"os": ["plan9"]},
                "categories": ["security", "firmware"],
                "reboot": {"enabled": true, "condition": "whenever"},
                "schedule": {"cron": "every sunday", "timezone": "Moon/Base"},
                "timeout_seconds": 30,
            }),
        )
        .await;
    assert_eq!(
        invalid.fields(),
        vec![
            "targets.os[0]",
            "categories[1]",
            "reboot.condition",
            "schedule.cron",
            "schedule.timezone",
            "timeout_seconds",
        ]
    );
    let no_targets = app
        .post(
            "/api/v1/policies",
            Some(&admin),
            json!({"name": "Nobody", "targets": {}}),
        )
        .await;
    assert_eq!(no_targets.fields(), vec!["targets"]);
    let window_alone = app
        .post(
            "/api/v1/policies",
            Some(&admin),
            json!({"name": "Window", "targets": {"all": true},
                   "maintenance_window": {"start": "01:00", "end": "05:00"}}),
        )
        .await;
    assert_eq!(window_alone.fields(), vec!["maintenance_window"]);
    let never = app
        .post(
            "/api/v1/policies",
            Some(&admin),
            json!({"name": "Never", "targets": {"all": true},
                   "schedule": {"cron": "0 12 * * *"},
                   "maintenance_window": {"days": ["sat"], "start": "01:00", "end": "05:00"}}),
        )
        .await;
    assert_eq!(never.fields(), vec!["schedule.cron"]);

    let path = format!("/api/v1/policies/{}", data["id"].as_str().unwrap());
    let disabled = app.put(&path, &admin, json!({"enabled": false})).await;
    assert_eq!(disabled.status, StatusCode::OK, "{}", disabled.body);
    assert_eq!(disabled.data()["next_run_at"], Value::Null);
    assert_eq!(
        disabled.data()["schedule"]["cron"],
        "0 3 * * SUN",
        "the rest stays"
    );
    let unscheduled = app
        .put(&path, &admin, json!({"enabled": true, "schedule": null}))
        .await;
    assert_eq!(unscheduled.data()["schedule"], Value::Null);
    assert_eq!(unscheduled.data()["next_run_at"], Value::Null);
    let listed = app.get("/api/v1/policies?search=week", &admin).await;
    assert_eq!(listed.data()["total"], 1);
    let (_, viewer) = app.user_with_role("val", "viewer").await;
    assert_eq!(app.get(&path, &viewer).await.status, StatusCode::OK);
    assert_eq!(
        app.post("/api/v1/policies", Some(&viewer), policy("Mine"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, &admin).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_run_patches_online_agents_now_offline_ones_later_and_says_what_the_agent_will_do() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let online = app.agent_with("srv-1", "linux", &["servers"]).await;
    let offline = app.agent_with("srv-2", "linux", &["servers"]).await;
    app.agent_with("laptop", "linux", &["staff"]).await;
    let mut body = policy("Security only");
    body["categories"] = json!(["security"]);
    body["reboot"] = json!({"enabled": true, "condition": "kernel_only", "delay_minutes": 5});
    let id = app
        .post("/api/v1/policies", Some(&admin), body)
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut socket = AgentSocket::connect(&base, online).await.unwrap();
    hello(&mut socket).await;
    eventually!({
        let agent = app.get(&format!("/api/v1/agents/{online}"), &admin).await;
        (agent.data()["status"] == "online").then_some(())
    });

    let run = app
        .post(
            &format!("/api/v1/policies/{id}/execute"),
            Some(&admin),
            Value::Null,
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let warnings = run.data()["warnings"].to_string();
    assert!(warnings.contains("ignores categories"), "{warnings}");
    assert!(
        warnings.contains("reboots each machine 60 s after"),
        "{warnings}"
    );
    assert!(warnings.contains("1 of 2 agents are offline"), "{warnings}");
    assert_eq!(run.data()["trigger"], "manual");
    assert_eq!(run.data()["progress"]["total"], 2);
    let run_id = run.data()["id"].as_str().unwrap().to_owned();

    let frame = request(&mut socket).await;
    assert_eq!(frame["action"], "execute_patches");
    assert_eq!(frame["execution_id"], frame["request_id"]);
    assert_eq!(frame["policy_id"], id.as_str());
    assert_eq!(frame["categories"], json!(["security"]));
    assert_eq!(frame["patches"], json!([]));
    assert_eq!(
        frame["reboot_config"],
        json!({"enabled": true, "condition": "kernel_only", "delay_minutes": 5, "notify_user": true})
    );
    for reply in answer(&frame, &mut AgentMemory::default()) {
        socket.send(&reply).await.unwrap();
    }
    let path = format!("/api/v1/policy-runs/{run_id}");
    let halfway = eventually!({
        let reply = app.get(&path, &admin).await;
        (reply.data()["progress"]["completed"] == 1).then_some(reply)
    });
    assert_eq!(halfway.data()["status"], "running");
    assert_eq!(halfway.data()["progress"]["queued"], 1);

    let mut late = AgentSocket::connect(&base, offline).await.unwrap();
    hello(&mut late).await;
    let frame = request(&mut late).await;
    assert_eq!(frame["action"], "execute_patches");
    for reply in answer(&frame, &mut AgentMemory::default()) {
        late.send(&reply).await.unwrap();
    }
    let done = eventually!({
        let reply = app.get(&path, &admin).await;
        (reply.data()["status"] == "completed").then_some(reply)
    });
    assert_eq!(done.data()["progress"]["patches_installed"], 2);
    assert_eq!(done.data()["progress"]["reboot_required"], 0);
    let results = &done.data()["results"];
    assert_eq!(results["total"], 2);
    let result = &results["items"][0];
    assert_eq!(result["status"], "completed");
    assert_eq!(result["patches_installed"][0]["name"], "openssl");
    assert_eq!(result["reboot_required"], false);
    assert!(result["output"].as_str().unwrap().contains("upgraded"));
    let one_agent = app
        .get(&format!("{path}?agent_uuid={online}"), &admin)
        .await;
    assert_eq!(one_agent.data()["results"]["total"], 1);
    let runs = app
        .get(
            &format!("/api/v1/policies/{id}/runs?sort_order=desc"),
            &admin,
        )
        .await;
    assert_eq!(runs.data()["total"], 1);
    assert_eq!(runs.data()["items"][0]["status"], "completed");
}

#[actix_web::test]
async fn reboot_never_is_never_sent_and_a_scan_stores_what_a_run_would_install() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let agent = app.agent_with("srv-9", "linux", &["servers"]).await;
    let mut body = policy("No reboot");
    body["reboot"] = json!({"enabled": true, "condition": "never"});
    let id = app
        .post("/api/v1/policies", Some(&admin), body)
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut socket = AgentSocket::connect(&base, agent).await.unwrap();
    hello(&mut socket).await;
    let mut memory = AgentMemory::default();

    let scan = app
        .post(
            &format!("/api/v1/policies/{id}/scan"),
            Some(&admin),
            Value::Null,
        )
        .await;
    assert_eq!(scan.status, StatusCode::ACCEPTED, "{}", scan.body);
    assert_eq!(scan.data()["queued"], 1);
    let frame = request(&mut socket).await;
    assert_eq!(frame["action"], "get_available_updates");
    for reply in answer(&frame, &mut memory) {
        socket.send(&reply).await.unwrap();
    }
    let updates = eventually!({
        let reply = app
            .get(&format!("/api/v1/agents/{agent}/updates"), &admin)
            .await;
        (reply.data()["count"] == 1).then_some(reply)
    });
    assert_eq!(updates.data()["items"][0]["name"], "openssl");

    let run = app
        .post(
            &format!("/api/v1/policies/{id}/execute"),
            Some(&admin),
            json!({"expires_in": 600}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    assert_eq!(run.data()["warnings"], json!([]), "nothing surprising");
    let frame = request(&mut socket).await;
    assert_eq!(frame["reboot_config"]["enabled"], false);
    let bad = app
        .post(
            &format!("/api/v1/policies/{id}/execute"),
            Some(&admin),
            json!({"expires_in": 0}),
        )
        .await;
    assert_eq!(bad.fields(), vec!["expires_in"]);
    let nobody = app
        .post(
            "/api/v1/policies",
            Some(&admin),
            json!({"name": "Nobody", "targets": {"tags": ["nonexistent"]}}),
        )
        .await;
    let nobody_id = nobody.data()["id"].as_str().unwrap();
    let empty = app
        .post(
            &format!("/api/v1/policies/{nobody_id}/execute"),
            Some(&admin),
            Value::Null,
        )
        .await;
    assert_eq!(empty.fields(), vec!["targets"]);
}

/// Makes the policy's schedule due at the start of the current minute, `ago` earlier, as if
/// the server had been down since that slot.
fn due(app_db: &slimrmm_test_db::TestDatabase, id: &str, ago: TimeDelta) {
    let seconds = ago.num_seconds();
    app_db.execute(&format!(
        "UPDATE policies SET next_run_at = date_trunc('minute', now()) - interval '{seconds} seconds' \
         WHERE id = '{id}'"
    ));
}

#[actix_web::test]
async fn a_due_schedule_fires_once_under_two_server_processes() {
    let app = spawn().await;
    let admin = app.admin().await;
    app.agent_with("srv-1", "linux", &["servers"]).await;
    let mut body = policy("Every minute");
    body["schedule"] = json!({"cron": "* * * * *", "timezone": "UTC"});
    let id = app
        .post("/api/v1/policies", Some(&admin), body)
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = slimrmm_server::wiring::assemble(&app.config, app.db.pool())
        .await
        .unwrap();
    due(&app.db, &id, TimeDelta::zero());
    let (a, b) = tokio::join!(
        app.state.policies.run_due(),
        second.state.policies.run_due()
    );
    assert!(a.unwrap() + b.unwrap() <= 1);
    let runs = format!("/api/v1/policies/{id}/runs");
    let listed = eventually!({
        let reply = app.get(&runs, &admin).await;
        (reply.data()["total"] == 1).then_some(reply)
    });
    assert_eq!(listed.data()["items"][0]["trigger"], "schedule");
    assert!(listed.data()["items"][0]["slot"].is_string());
    // Once fired, the slot is gone: more ticks on either process start nothing.
    assert_eq!(app.state.policies.run_due().await.unwrap(), 0);
    assert_eq!(second.state.policies.run_due().await.unwrap(), 0);
    assert_eq!(app.get(&runs, &admin).await.data()["total"], 1);
    let next: DateTime<Utc> = app
        .get(&format!("/api/v1/policies/{id}"), &admin)
        .await
        .data()["next_run_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(next > Utc::now() - TimeDelta::seconds(1));

    // After a five-hour outage only the latest slot runs, once, not every missed one.
    let mut body = policy("Catch up");
    body["schedule"] = json!({"cron": "* * * * *", "timezone": "UTC"});
    let catch_up = app
        .post("/api/v1/policies", Some(&admin), body)
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    due(&app.db, &catch_up, TimeDelta::hours(5));
    let (a, b) = tokio::join!(
        app.state.policies.run_due(),
        second.state.policies.run_due()
    );
    assert!(a.unwrap() + b.unwrap() <= 1);
    let runs = format!("/api/v1/policies/{catch_up}/runs");
    let listed = eventually!({
        let reply = app.get(&runs, &admin).await;
        (reply.data()["total"] == 1).then_some(reply)
    });
    let slot: DateTime<Utc> = listed.data()["items"][0]["slot"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        slot > Utc::now() - TimeDelta::minutes(2),
        "the latest slot, not one from 5 h ago"
    );
}

#[actix_web::test]
async fn a_closed_maintenance_window_keeps_a_schedule_from_firing() {
    let app = spawn().await;
    let admin = app.admin().await;
    app.agent_with("srv-1", "linux", &["servers"]).await;
    // A window that opens in two hours and lasts one, every day.
    let opens = Utc::now() + TimeDelta::hours(2);
    let (start, end) = (
        opens.format("%H:00").to_string(),
        (opens + TimeDelta::hours(1)).format("%H:00").to_string(),
    );
    let mut body = policy("Night shift");
    body["schedule"] = json!({"cron": "*/5 * * * *", "timezone": "UTC"});
    body["maintenance_window"] = json!({"start": start, "end": end});
    let created = app.post("/api/v1/policies", Some(&admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.data()["id"].as_str().unwrap().to_owned();
    let next: DateTime<Utc> = created.data()["next_run_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        next.format("%H:%M").to_string(),
        start,
        "the first slot is the window's opening, not the next five minutes"
    );

    // A slot comes due while the window is closed: nothing runs, the next slot is the opening.
    due(&app.db, &id, TimeDelta::zero());
    assert_eq!(app.state.policies.run_due().await.unwrap(), 0);
    let runs = app
        .get(&format!("/api/v1/policies/{id}/runs"), &admin)
        .await;
    assert_eq!(runs.data()["total"], 0);
    let policy = app.get(&format!("/api/v1/policies/{id}"), &admin).await;
    let next: DateTime<Utc> = policy.data()["next_run_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(next.format("%H:%M").to_string(), start);
}
