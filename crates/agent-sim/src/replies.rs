use std::collections::HashSet;

use chrono::Utc;
use serde_json::{Map, Value, json};

/// What a simulated agent remembers between requests.
#[derive(Debug, Default)]
pub struct AgentMemory {
    /// `request_id`s already seen (the agent refuses a replay).
    pub seen: HashSet<String>,
    /// Maintenance mode blocks destructive actions.
    pub maintenance: bool,
}

const MUTATING: &[&str] = &[
    "execute_command",
    "execute_script",
    "start_terminal",
    "restart",
    "shutdown",
    "delete_entry",
];
const DESTRUCTIVE: &[&str] = &[
    "restart",
    "shutdown",
    "execute_script",
    "execute_command",
    "delete_entry",
];

/// A minimal heartbeat (idle agent).
pub fn minimal_heartbeat(version: &str) -> Value {
    json!({"action": "heartbeat", "type": "minimal", "agent_version": version, "alive": true, "timestamp": Utc::now().timestamp()})
}

/// A stats heartbeat; `marker` ends up as `process_count`, so tests can recognise it.
pub fn stats_heartbeat(version: &str, cpu: f64, marker: u64) -> Value {
    json!({"action": "heartbeat", "type": "stats", "agent_version": version, "stats": {
        "cpu_percent": cpu, "memory_percent": 41.5, "memory_used": 3_400_000_000u64, "memory_total": 8_000_000_000u64,
        "uptime_seconds": 3600, "process_count": marker, "timezone": "UTC"
    }})
}

/// A full heartbeat; the delta-sent blocks are included only when `with_blocks`.
pub fn full_heartbeat(version: &str, cpu: f64, marker: u64, with_blocks: bool) -> Value {
    let mut heartbeat = json!({"action": "heartbeat", "type": "full", "agent_version": version, "stats": {
        "cpu_percent": cpu, "memory_percent": 41.5, "memory_used": 3_400_000_000u64, "memory_total": 8_000_000_000u64,
        "disk": [
            {"device": "/dev/sda1", "mountpoint": "/", "total": 100, "used": 50, "free": 50, "used_percent": 50.0},
            {"device": "/dev/sdb1", "mountpoint": "/data", "total": 100, "used": 80, "free": 20, "used_percent": 80.0}
        ],
        "network_io": {"bytes_sent": 1, "bytes_recv": 2, "packets_sent": 3, "packets_recv": 4},
        "uptime_seconds": 3600, "process_count": marker, "timezone": "UTC"
    }, "external_ip": "203.0.113.4", "serial_number": "SIM-0001", "dropped_messages": 0});
    if with_blocks {
        heartbeat["docker"] = json!({"available": true, "version": "27.0", "api_version": "1.46", "containers": 3, "containers_running": 2, "images": 5});
        heartbeat["security_info"] = json!({"antivirus_active": false, "firewall_active": true, "disk_encrypted": true, "open_ports_count": 4});
    }
    heartbeat
}

fn generic(action: &str, request_id: &str, outcome: Result<Value, String>) -> Value {
    let action = match action {
        "pull_logs" => "logs_result",
        other => other,
    };
    let mut reply = Map::new();
    reply.insert("action".into(), Value::from(action));
    if !request_id.is_empty() {
        reply.insert("request_id".into(), Value::from(request_id));
    }
    match outcome {
        Ok(data) => {
            reply.insert("success".into(), Value::Bool(true));
            reply.insert("data".into(), data);
        }
        Err(error) => {
            reply.insert("success".into(), Value::Bool(false));
            reply.insert("error".into(), Value::from(error));
        }
    }
    Value::Object(reply)
}

/// What a Linux agent's `execute_script` reports (§5): `cmd` scripts fail validation, a
/// script containing `SIMULATE_TIMEOUT` is stopped at its timeout (exit code -1), `exit N`
/// sets the exit code (with a line on stderr), anything else prints its name.
fn run_script(request: &Value) -> Value {
    let text = |name: &str| {
        request
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let (content, kind) = (text("script_content"), text("script_type"));
    let timeout = request
        .get("timeout_seconds")
        .and_then(Value::as_u64)
        .unwrap_or(60);
    let now = Utc::now().to_rfc3339();
    let exit_code = content
        .split_whitespace()
        .skip_while(|word| *word != "exit")
        .nth(1)
        .and_then(|code| code.parse::<i64>().ok());
    let (status, exit_code, output, error_output) = if kind == "cmd" || kind == "batch" {
        (
            "failed",
            -1,
            String::new(),
            "cmd/batch not available on non-Windows".to_owned(),
        )
    } else if content.contains("SIMULATE_TIMEOUT") {
        (
            "completed",
            -1,
            String::new(),
            format!("script timed out after {timeout}s"),
        )
    } else if let Some(code) = exit_code.filter(|code| *code != 0) {
        ("completed", code, String::new(), "err\n".to_owned())
    } else {
        (
            "completed",
            0,
            format!("ran {}\n", text("script_name")),
            String::new(),
        )
    };
    json!({"execution_id": request.get("execution_id").cloned().unwrap_or(Value::Null),
        "status": status, "exit_code": exit_code, "output": output, "error_output": error_output,
        "started_at": now, "completed_at": now, "duration_ms": 2})
}

/// The frames the agent sends back for one request, with its checks (§3.1): the anti-replay
/// rules, `request_id` for mutating actions, maintenance mode, unknown actions.
pub fn answer(request: &Value, memory: &mut AgentMemory) -> Vec<Value> {
    let action = request
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let request_id = request
        .get("request_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let fail = |error: &str| vec![generic(action, request_id, Err(error.to_owned()))];
    if MUTATING.contains(&action) && request_id.is_empty() {
        return fail("request_id is required for mutating actions");
    }
    if !request_id.is_empty() {
        let Some(timestamp) = request.get("timestamp").and_then(Value::as_i64) else {
            return fail("timestamp is required when request_id is set");
        };
        let age = Utc::now().timestamp() - timestamp;
        if !(-30..=300).contains(&age) || !memory.seen.insert(request_id.to_owned()) {
            return fail("request validation failed");
        }
    }
    if memory.maintenance && DESTRUCTIVE.contains(&action) {
        return fail("agent is in maintenance mode, destructive operations are blocked");
    }
    let field = |name: &str| request.get(name).cloned().unwrap_or(Value::Null);
    let data = match action {
        "ping" => json!({"pong": "ok"}),
        "get_system_stats" | "system_stats" => {
            json!({"hostname": "sim", "os": "linux", "cpu": {"cores": 2, "usage_percent": 5.0}})
        }
        "get_software_inventory" => json!({"packages": [
            {"name": "vim", "version": "9.0", "source": "apt"},
            {"name": "openssl", "version": "3.0.2", "source": "apt"}
        ], "count": 2, "source": "apt"}),
        "get_available_updates" => json!({"updates": [
            {"name": "openssl", "version": "3.0.13", "current_version": "3.0.2", "category": "security", "source": "apt"}
        ], "count": 1, "source": "apt"}),
        "restart" => json!({"status": "restart_initiated"}),
        "shutdown" => json!({"status": "shutdown_initiated"}),
        "cancel_shutdown" => json!({"status": "shutdown_cancelled"}),
        "list_services" => json!({"services": [{"name": "sshd", "status": "running"}], "count": 1}),
        "list_processes" => json!({"processes": [{"pid": 1, "name": "init"}], "count": 1}),
        "start_service" | "stop_service" | "restart_service" => {
            json!({"status": "changed", "service": field("name")})
        }
        "set_maintenance_mode" => {
            memory.maintenance = request
                .get("enabled")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            json!({"maintenance": memory.maintenance})
        }
        "pull_logs" => {
            json!({"logs": [{"time": Utc::now().to_rfc3339(), "level": "info", "msg": "simulated"}]})
        }
        "custom_command" => {
            json!({"command": field("command"), "exit_code": 0, "stdout": "simulated\n", "stderr": "", "duration_ms": 1})
        }
        "execute_script" => {
            let result = run_script(request);
            let mut raw = result.clone();
            raw["action"] = Value::from("script_execution_result");
            return vec![raw, generic(action, request_id, Ok(result))];
        }
        "execute_patches" => {
            let result = json!({"execution_id": field("execution_id"), "status": "completed",
                "output": "Reading package lists...\n1 upgraded", "error_output": "",
                "patches_installed": [{"name": "openssl", "version": "3.0.13", "status": "installed"}],
                "patches_failed": [], "reboot_required": false, "duration_ms": 4200});
            let mut raw = result.clone();
            raw["action"] = Value::from("patch_execution_result");
            return vec![raw, generic(action, request_id, Ok(result))];
        }
        _ => return fail(&format!("unknown action: {action}")),
    };
    vec![generic(action, request_id, Ok(data))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agents_checks_apply() {
        let mut memory = AgentMemory::default();
        let now = Utc::now().timestamp();
        let ping = json!({"action": "ping", "request_id": "r1", "timestamp": now});
        assert_eq!(answer(&ping, &mut memory)[0]["data"]["pong"], "ok");
        assert_eq!(
            answer(&ping, &mut memory)[0]["error"],
            "request validation failed"
        );
        let float = json!({"action": "ping", "request_id": "r2", "timestamp": 1.5});
        assert_eq!(
            answer(&float, &mut memory)[0]["error"],
            "timestamp is required when request_id is set"
        );
        let restart = json!({"action": "restart"});
        assert_eq!(
            answer(&restart, &mut memory)[0]["error"],
            "request_id is required for mutating actions"
        );
        let unknown = json!({"action": "dance", "request_id": "r3", "timestamp": now});
        assert_eq!(
            answer(&unknown, &mut memory)[0]["error"],
            "unknown action: dance"
        );
        let logs = json!({"action": "pull_logs", "request_id": "r4", "timestamp": now});
        assert_eq!(answer(&logs, &mut memory)[0]["action"], "logs_result");
    }
}
