use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::execution::Execution;

/// The frame that sends `execution` to its agent: flat (fields at the root, which every action
/// reads, §3.1 rule 6), `request_id` = the execution id, and an integer unix-seconds `timestamp`
/// (the agent refuses anything else). A re-sent execution gets `<id>.<attempt>`: the agent
/// refuses a `request_id` it has seen before (§3.1 rule 4), and it may have seen the first
/// attempt before the connection dropped.
pub(crate) fn command_frame(execution: &Execution, now: DateTime<Utc>) -> String {
    let mut frame = Map::new();
    if let Value::Object(params) = &execution.params {
        frame.extend(params.clone());
    }
    frame.insert("action".into(), Value::from(execution.action.as_str()));
    let request_id = match execution.attempts {
        0 | 1 => execution.id.to_string(),
        attempt => format!("{}.{attempt}", execution.id),
    };
    frame.insert("request_id".into(), Value::from(request_id));
    frame.insert("timestamp".into(), Value::from(now.timestamp()));
    Value::Object(frame).to_string()
}
