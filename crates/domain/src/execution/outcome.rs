//! How an agent's answer settles its execution.

use serde_json::{Map, Value, json};

use super::{ExecutionStatus, ReplyOutcome};
use crate::protocol::Reply;

const MAX_ERROR: usize = 1000;
const MAX_PATCH_ENTRIES: usize = 10_000;

/// A result cut to `max` serialized bytes: kept as is when it fits, else its JSON text cut at a
/// character boundary and kept as a string. True when cut.
fn capped(data: Option<Value>, max: usize) -> (Option<Value>, bool) {
    let Some(data) = data else {
        return (None, false);
    };
    let text = data.to_string();
    if text.len() <= max {
        return (Some(data), false);
    }
    (Some(Value::String(cut(&text, max).0)), true)
}

fn cut(text: &str, max: usize) -> (String, bool) {
    if text.len() <= max {
        return (text.to_owned(), false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text[..end].to_owned(), true)
}

fn text<'a>(data: &'a Map<String, Value>, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn time(data: &Map<String, Value>, key: &str) -> Value {
    data.get(key)
        .and_then(Value::as_str)
        .filter(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
        .map_or(Value::Null, Value::from)
}

fn first_line_or_all(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(MAX_ERROR).collect())
}

/// The answer to `execute_script` (§5): the agent's status, exit code, both outputs (each cut
/// to half the limit on its own, so a long output never hides the exit code) and times. A
/// script the agent stopped at its timeout (exit code -1) is `timed_out`.
fn script(data: &Map<String, Value>, max: usize) -> ReplyOutcome {
    let exit_code = data.get("exit_code").and_then(Value::as_i64);
    let (output, output_cut) = cut(text(data, "output"), max / 2);
    let (error_output, error_cut) = cut(text(data, "error_output"), max / 2);
    let agent_status = text(data, "status");
    let (status, error) = match (agent_status, exit_code) {
        ("failed", _) => (
            ExecutionStatus::Failed,
            first_line_or_all(&error_output).or(Some("the script failed".into())),
        ),
        (_, Some(-1)) => (
            ExecutionStatus::TimedOut,
            first_line_or_all(&error_output)
                .or(Some("the agent stopped the script at its timeout".into())),
        ),
        _ => (ExecutionStatus::Completed, None),
    };
    let result = json!({
        "status": agent_status,
        "exit_code": exit_code,
        "output": output,
        "error_output": error_output,
        "started_at": time(data, "started_at"),
        "completed_at": time(data, "completed_at"),
        "duration_ms": data.get("duration_ms").and_then(Value::as_u64),
    });
    ReplyOutcome {
        status,
        result: Some(result),
        error,
        truncated: output_cut || error_cut,
    }
}

fn entries(data: &Map<String, Value>, key: &str) -> Vec<Value> {
    data.get(key)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|entry| entry.is_object())
                .take(MAX_PATCH_ENTRIES)
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// The answer to `execute_patches` (§4): status, the patches installed and failed, whether a
/// reboot is required, both outputs and the duration.
fn patches(data: &Map<String, Value>, max: usize) -> Option<ReplyOutcome> {
    let (output, output_cut) = cut(text(data, "output"), max / 4);
    let (error_output, error_cut) = cut(text(data, "error_output"), max / 4);
    let failed = text(data, "status") == "failed";
    let result = json!({
        "status": text(data, "status"),
        "patches_installed": entries(data, "patches_installed"),
        "patches_failed": entries(data, "patches_failed"),
        "reboot_required": data.get("reboot_required").and_then(Value::as_bool).unwrap_or(false),
        "output": output,
        "error_output": error_output,
        "duration_ms": data.get("duration_ms").and_then(Value::as_u64),
    });
    // Patch lists too long for the limit keep the generic treatment.
    (result.to_string().len() <= max).then(|| ReplyOutcome {
        status: if failed {
            ExecutionStatus::Failed
        } else {
            ExecutionStatus::Completed
        },
        result: Some(result),
        error: failed
            .then(|| first_line_or_all(&error_output).unwrap_or_else(|| "patching failed".into())),
        truncated: output_cut || error_cut,
    })
}

/// How `reply` settles its execution, with results cut to `max` bytes.
pub(crate) fn outcome_of(reply: Reply, max: usize) -> ReplyOutcome {
    let structured = match (reply.action.as_str(), reply.data.as_ref()) {
        ("script_execution_result" | "execute_script", Some(Value::Object(data)))
            if data.contains_key("exit_code") || data.contains_key("status") =>
        {
            Some(script(data, max))
        }
        ("patch_execution_result" | "execute_patches", Some(Value::Object(data)))
            if data.contains_key("status") =>
        {
            patches(data, max)
        }
        _ => None,
    };
    if let Some(outcome) = structured {
        return outcome;
    }
    let (result, truncated) = capped(reply.data, max);
    ReplyOutcome {
        status: if reply.success {
            ExecutionStatus::Completed
        } else {
            ExecutionStatus::Failed
        },
        result,
        error: reply.error,
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::execution::ExecutionId;

    fn reply(action: &str, success: bool, data: Value) -> Reply {
        Reply {
            execution: ExecutionId(uuid::Uuid::nil()),
            action: action.into(),
            success,
            data: Some(data),
            error: None,
        }
    }

    #[test]
    fn results_are_capped_at_a_character_boundary_and_marked() {
        assert_eq!(
            capped(Some(json!({"a": 1})), 100),
            (Some(json!({"a": 1})), false)
        );
        let (cut, truncated) = capped(Some(json!({"text": "é".repeat(100)})), 20);
        assert!(truncated);
        let Value::String(text) = cut.unwrap() else {
            panic!()
        };
        assert!(text.len() <= 20 && text.starts_with("{\"text\":\""));
    }

    #[test]
    fn script_results_keep_their_fields_and_cut_each_output() {
        let raw = json!({"action": "script_execution_result", "execution_id": "x",
            "status": "completed", "exit_code": 3, "output": "o".repeat(100),
            "error_output": "err\n", "started_at": "2026-11-27T12:00:00Z",
            "completed_at": "2026-11-27T12:00:01Z", "duration_ms": 1000});
        let outcome = outcome_of(reply("script_execution_result", true, raw), 100);
        assert_eq!(outcome.status, ExecutionStatus::Completed);
        assert!(outcome.truncated);
        let result = outcome.result.unwrap();
        assert_eq!(result["exit_code"], 3);
        assert_eq!(result["output"].as_str().unwrap().len(), 50);
        assert_eq!(result["error_output"], "err\n");
        assert_eq!(result["duration_ms"], 1000);
        assert!(result.get("execution_id").is_none());
    }

    #[test]
    fn agent_timeouts_and_failures_are_told_apart() {
        let timeout = json!({"status": "completed", "exit_code": -1, "output": "",
            "error_output": "script timed out after 30s"});
        let outcome = outcome_of(reply("execute_script", true, timeout), 1000);
        assert_eq!(outcome.status, ExecutionStatus::TimedOut);
        assert_eq!(outcome.error.as_deref(), Some("script timed out after 30s"));
        let refused = json!({"status": "failed", "exit_code": -1, "output": "",
            "error_output": "script contains potentially dangerous pattern: eval call"});
        let outcome = outcome_of(reply("execute_script", true, refused), 1000);
        assert_eq!(outcome.status, ExecutionStatus::Failed);
        assert!(outcome.error.unwrap().contains("eval call"));
    }

    #[test]
    fn patch_results_are_summarised() {
        let raw = json!({"action": "patch_execution_result", "execution_id": "x",
            "status": "completed", "output": "ok", "error_output": "",
            "patches_installed": [{"name": "openssl", "version": "3.0.2", "status": "installed"}],
            "patches_failed": [], "reboot_required": true, "duration_ms": 5000});
        let outcome = outcome_of(reply("patch_execution_result", true, raw), 10_000);
        assert_eq!(outcome.status, ExecutionStatus::Completed);
        let result = outcome.result.unwrap();
        assert_eq!(result["patches_installed"][0]["name"], "openssl");
        assert_eq!(result["reboot_required"], true);
    }

    #[test]
    fn other_replies_are_kept_as_sent() {
        let outcome = outcome_of(reply("ping", true, json!({"pong": "ok"})), 100);
        assert_eq!(outcome.result, Some(json!({"pong": "ok"})));
        let mut failed = reply("execute_script", false, Value::Null);
        failed.data = None;
        failed.error = Some("request validation failed".into());
        let outcome = outcome_of(failed, 100);
        assert_eq!(outcome.status, ExecutionStatus::Failed);
        assert_eq!(outcome.error.as_deref(), Some("request validation failed"));
    }
}
