//! The script library and script runs, end to end with simulated agents.

use actix_web::http::StatusCode;
use serde_json::{Value, json};
use slimrmm_agent_sim::{AgentMemory, AgentSocket, answer};

use crate::helpers::spawn;
use crate::live::{hello, request};

fn script(name: &str, content: &str) -> Value {
    json!({"name": name, "script_type": "bash", "content": content, "category": "Maintenance"})
}

#[actix_web::test]
async fn the_library_keeps_scripts_and_refuses_what_the_agent_would() {
    let app = spawn().await;
    let admin = app.admin().await;
    let created = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Disk usage", "script_type": "bash", "content": "df -h\n",
                   "description": "How full are the disks", "category": "Storage"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let data = created.data().clone();
    assert_eq!(data["timeout_seconds"], 60);
    assert_eq!(data["platforms"], json!(["linux", "darwin"]));
    assert_eq!(data["platforms_declared"], false);
    let id = data["id"].as_str().unwrap().to_owned();

    let taken = app
        .post("/api/v1/scripts", Some(&admin), script("DISK USAGE", "df"))
        .await;
    assert_eq!(
        (taken.status, taken.code()),
        (StatusCode::CONFLICT, "SCRIPT_NAME_TAKEN")
    );

    let substitution = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            script("Today", "echo start\nnow=$(date)\necho $now"),
        )
        .await;
    assert_eq!(substitution.fields(), vec!["content"]);
    let message = substitution.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("line 2") && message.contains("command substitution"),
        "{message}"
    );
    let huge = "echo 0123456789\n".repeat(5000);
    let too_large = app
        .post("/api/v1/scripts", Some(&admin), script("Huge", &huge))
        .await;
    assert_eq!(too_large.fields(), vec!["content"]);
    assert!(
        too_large.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("65536")
    );
    let wrong = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Bad", "script_type": "zsh", "content": "ls", "timeout_seconds": 601}),
        )
        .await;
    assert_eq!(wrong.fields(), vec!["script_type", "timeout_seconds"]);
    let zero = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Zero", "script_type": "sh", "content": "ls", "timeout_seconds": 0}),
        )
        .await;
    assert_eq!(zero.fields(), vec!["timeout_seconds"]);
    let cmd_on_linux = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Dir", "script_type": "cmd", "content": "dir", "platforms": ["windows", "linux"]}),
        )
        .await;
    assert_eq!(cmd_on_linux.fields(), vec!["platforms[1]"]);
    let unknown = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "X", "script_type": "sh", "content": "ls", "args": ["-l"]}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, viewer) = app.user_with_role("vera", "viewer").await;
    let refused = app
        .post("/api/v1/scripts", Some(&viewer), script("Mine", "ls"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    app.post(
        "/api/v1/scripts",
        Some(&admin),
        script("Apt clean", "apt-get clean"),
    )
    .await;
    let listed = app
        .get("/api/v1/scripts?search=disk&sort_by=name", &viewer)
        .await;
    assert_eq!(listed.data()["total"], 1);
    assert_eq!(listed.data()["items"][0]["name"], "Disk usage");
    let by_category = app
        .get(
            "/api/v1/scripts?category=maintenance&script_type=bash",
            &admin,
        )
        .await;
    assert_eq!(by_category.data()["items"][0]["name"], "Apt clean");
    let bad_filter = app.get("/api/v1/scripts?script_type=zsh", &admin).await;
    assert_eq!(bad_filter.fields(), vec!["script_type"]);

    let path = format!("/api/v1/scripts/{id}");
    let changed = app
        .put(
            &path,
            &admin,
            json!({"content": "df -h /", "platforms": ["linux"], "description": null}),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.data()["content"], "df -h /");
    assert_eq!(changed.data()["platforms"], json!(["linux"]));
    assert_eq!(changed.data()["description"], Value::Null);
    assert_eq!(changed.data()["category"], "Storage", "absent fields stay");
    let to_cmd = app.put(&path, &admin, json!({"script_type": "cmd"})).await;
    assert_eq!(to_cmd.fields(), vec!["platforms[0]"]);
    assert_eq!(app.get(&path, &viewer).await.data()["script_type"], "bash");

    assert_eq!(app.delete(&path, &admin).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, &admin).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_script_runs_on_online_agents_now_and_offline_ones_when_they_connect() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let online = app.agent_with("web-1", "linux", &["web"]).await;
    let offline = app.agent_with("web-2", "linux", &["web"]).await;
    let id = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Check", "script_type": "bash", "content": "echo checking\nexit 3", "timeout_seconds": 30}),
        )
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
            &format!("/api/v1/scripts/{id}/execute"),
            Some(&admin),
            json!({"tag": "web"}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    assert_eq!(
        (run.data()["queued"].clone(), run.data()["offline"].clone()),
        (json!(2), json!(1))
    );

    let frame = request(&mut socket).await;
    assert_eq!(frame["action"], "execute_script");
    assert_eq!(frame["execution_id"], frame["request_id"]);
    assert_eq!(frame["script_name"], "Check");
    assert_eq!(frame["script_type"], "bash");
    assert_eq!(frame["script_content"], "echo checking\nexit 3");
    assert_eq!(frame["timeout_seconds"], 30);
    assert!(frame["timestamp"].is_i64());
    for reply in answer(&frame, &mut AgentMemory::default()) {
        socket.send(&reply).await.unwrap();
    }
    let execution = format!(
        "/api/v1/executions/{}",
        frame["request_id"].as_str().unwrap()
    );
    let done = eventually!({
        let reply = app.get(&execution, &admin).await;
        (reply.data()["status"] == "completed").then_some(reply)
    });
    let result = &done.data()["result"];
    assert_eq!(
        result["exit_code"], 3,
        "stored exactly as the agent sent it"
    );
    assert_eq!(result["status"], "completed");
    assert_eq!(result["error_output"], "err\n");
    assert_eq!(result["duration_ms"], 2);
    assert!(result["started_at"].is_string() && result["completed_at"].is_string());
    assert_eq!(done.data()["script_id"], id.as_str());

    // The offline agent gets its run when it connects.
    let mut late = AgentSocket::connect(&base, offline).await.unwrap();
    hello(&mut late).await;
    let frame = request(&mut late).await;
    assert_eq!(frame["action"], "execute_script");
    for reply in answer(&frame, &mut AgentMemory::default()) {
        late.send(&reply).await.unwrap();
    }
    let runs = eventually!({
        let reply = app
            .get(
                &format!("/api/v1/scripts/{id}/executions?status=completed"),
                &admin,
            )
            .await;
        (reply.data()["total"] == 2).then_some(reply)
    });
    let agents: Vec<&str> = runs.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["agent_uuid"].as_str().unwrap())
        .collect();
    assert!(
        agents.contains(&online.to_string().as_str())
            && agents.contains(&offline.to_string().as_str())
    );
}

#[actix_web::test]
async fn agents_that_cannot_run_a_script_are_refused_up_front_and_timeouts_show() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let linux = app.agent_with("db-1", "linux", &["db"]).await;
    let windows = app.agent_with("DESKTOP-7", "windows", &["db"]).await;
    let bash = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            script("Slow", "sleep 100 # SIMULATE_TIMEOUT"),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let execute = format!("/api/v1/scripts/{bash}/execute");

    let mixed = app.post(&execute, Some(&admin), json!({"tag": "db"})).await;
    assert_eq!(mixed.fields(), vec!["tag"]);
    let detail = mixed.body["errors"][0]["message"].as_str().unwrap();
    assert!(
        detail.contains("DESKTOP-7") && detail.contains(&windows.to_string()),
        "{detail}"
    );
    assert!(!detail.contains("db-1"));
    let nothing = app
        .get(&format!("/api/v1/scripts/{bash}/executions"), &admin)
        .await;
    assert_eq!(nothing.data()["total"], 0, "nothing was queued");

    let unknown = uuid::Uuid::new_v4();
    let missing = app
        .post(
            &execute,
            Some(&admin),
            json!({"agent_uuids": [linux, unknown]}),
        )
        .await;
    assert_eq!(missing.fields(), vec!["agent_uuids"]);
    assert!(
        missing.body["detail"]
            .as_str()
            .unwrap()
            .contains(&unknown.to_string())
    );
    let none = app.post(&execute, Some(&admin), json!({})).await;
    assert_eq!(none.fields(), vec!["agent_uuids"]);
    let bad = app
        .post(
            &execute,
            Some(&admin),
            json!({"os": "beos", "expires_in": 0}),
        )
        .await;
    assert_eq!(bad.fields(), vec!["os"]);
    let (_, viewer) = app.user_with_role("vic", "viewer").await;
    let forbidden = app
        .post(&execute, Some(&viewer), json!({"os": "linux"}))
        .await;
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

    // Narrowed to Linux, the tag works; the agent stops the script at its timeout.
    let mut socket = AgentSocket::connect(&base, linux).await.unwrap();
    hello(&mut socket).await;
    let run = app
        .post(&execute, Some(&admin), json!({"tag": "db", "os": "linux"}))
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    assert_eq!(run.data()["queued"], 1);
    let frame = request(&mut socket).await;
    for reply in answer(&frame, &mut AgentMemory::default()) {
        socket.send(&reply).await.unwrap();
    }
    let execution = format!(
        "/api/v1/executions/{}",
        frame["request_id"].as_str().unwrap()
    );
    let stopped = eventually!({
        let reply = app.get(&execution, &admin).await;
        (reply.data()["status"] == "timed_out").then_some(reply)
    });
    assert_eq!(stopped.data()["result"]["exit_code"], -1);
    assert_eq!(stopped.data()["error"], "script timed out after 60s");

    // A PowerShell script runs on the Windows agent.
    let powershell = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Services", "script_type": "powershell", "content": "Get-Service", "platforms": ["windows"]}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let queued = app
        .post(
            &format!("/api/v1/scripts/{powershell}/execute"),
            Some(&admin),
            json!({"os": "windows"}),
        )
        .await;
    assert_eq!(queued.data()["queued"], 1);
    assert_eq!(
        queued.data()["executions"][0]["agent_uuid"],
        windows.to_string()
    );
}
