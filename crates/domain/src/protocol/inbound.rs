use serde_json::{Map, Value};

use super::Heartbeat;
use crate::execution::ExecutionId;

const MAX_TEXT: usize = 1000;
const MAX_CHANGES: usize = 10_000;

/// A message from an agent, checked.
#[derive(Debug, Clone, PartialEq)]
pub enum AgentMessage {
    /// A heartbeat (§3.3).
    Heartbeat(Heartbeat),
    /// An answer to a command: the generic response, or a raw `*_result` naming its execution.
    Reply(Reply),
    /// A sustained CPU, memory or disk threshold crossing.
    ThresholdAlert(ThresholdAlert),
    /// The agent entered or left maintenance mode.
    SetMaintenance {
        /// Whether it is in maintenance now.
        enabled: bool,
    },
    /// Installed software changed.
    InventoryChange(InventoryChange),
    /// Anything else; logged, not acted on.
    Other {
        /// Its action (at most 64 characters kept).
        action: String,
    },
}

/// An agent's answer to one of our commands.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The execution it answers (our `request_id`, or `execution_id` in raw results).
    pub execution: ExecutionId,
    /// The reply's action name (`ping`, `logs_result`, `script_execution_result`, ...).
    pub action: String,
    /// Whether the agent says it worked.
    pub success: bool,
    /// What it returned.
    pub data: Option<Value>,
    /// Its error text.
    pub error: Option<String>,
}

/// A `threshold_alert`.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdAlert {
    /// `cpu`, `memory` or `disk`.
    pub metric: String,
    /// `warning` or `critical`.
    pub severity: String,
    /// The value measured.
    pub current_value: Option<f64>,
    /// The threshold crossed.
    pub threshold: Option<f64>,
    /// For how long.
    pub duration_seconds: Option<i64>,
    /// For people.
    pub message: String,
}

/// What changed in the installed software.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageChange {
    /// Installed (or updated to) a version.
    Installed {
        /// Package name.
        name: String,
        /// Its version.
        version: String,
    },
    /// Removed.
    Removed {
        /// Package name.
        name: String,
    },
}

/// An `inventory_change` of type `software_change`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryChange {
    /// The changes, in order.
    pub changes: Vec<PackageChange>,
}

/// Why a frame is not a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an agent message: {0}")]
pub struct NotAMessage(pub &'static str);

fn text(object: &Map<String, Value>, key: &str, max: usize) -> Option<String> {
    let value = object.get(key)?.as_str()?.trim();
    (!value.is_empty()).then(|| value.chars().take(max).collect())
}

impl AgentMessage {
    /// Reads one text frame's JSON. Its text is made [`storable`](super::storable) first, so
    /// nothing read from it can fail a write.
    pub fn parse(value: Value) -> Result<Self, NotAMessage> {
        let Value::Object(object) = super::storable(value) else {
            return Err(NotAMessage("not a JSON object"));
        };
        let action = text(&object, "action", 64).ok_or(NotAMessage("no action"))?;
        Ok(match action.as_str() {
            "heartbeat" => Self::Heartbeat(Heartbeat::parse(&object)),
            "threshold_alert" => match threshold_alert(&object) {
                Some(alert) => Self::ThresholdAlert(alert),
                None => Self::Other { action },
            },
            "set_maintenance" => match object.get("enabled").and_then(Value::as_bool) {
                Some(enabled) => Self::SetMaintenance { enabled },
                None => Self::Other { action },
            },
            "inventory_change" => match inventory_change(&object) {
                Some(change) => Self::InventoryChange(change),
                None => Self::Other { action },
            },
            _ => match reply(&object, &action) {
                Some(reply) => Self::Reply(reply),
                None => Self::Other { action },
            },
        })
    }
}

fn reply(object: &Map<String, Value>, action: &str) -> Option<Reply> {
    // Raw domain results carry our execution id; generic responses our request id.
    let (id, raw) = match object.get("execution_id").and_then(Value::as_str) {
        Some(id) if action.ends_with("_result") => (id, true),
        _ => (object.get("request_id")?.as_str()?, false),
    };
    // A re-sent execution's request id is `<id>.<attempt>`.
    let execution = id.split('.').next()?.parse::<ExecutionId>().ok()?;
    let error = text(object, "error", MAX_TEXT).or_else(|| {
        raw.then(|| text(object, "error_output", MAX_TEXT))
            .flatten()
            .filter(|_| object.get("status").and_then(Value::as_str) == Some("failed"))
    });
    let success = if raw {
        object.get("status").and_then(Value::as_str) != Some("failed")
    } else {
        match object.get("success").and_then(Value::as_bool) {
            Some(success) => success,
            // `run_osquery` answers without `success`.
            None => error.is_none() && object.get("data").and_then(|d| d.get("error")).is_none(),
        }
    };
    let data = if raw {
        Some(Value::Object(object.clone()))
    } else {
        object.get("data").cloned()
    };
    Some(Reply {
        execution,
        action: action.to_owned(),
        success,
        data,
        error,
    })
}

fn threshold_alert(object: &Map<String, Value>) -> Option<ThresholdAlert> {
    let metric = text(object, "metric", 32)?;
    let severity = text(object, "severity", 16).filter(|s| s == "warning" || s == "critical")?;
    let number = |key| {
        object
            .get(key)
            .and_then(Value::as_f64)
            .filter(|n: &f64| n.is_finite())
    };
    Some(ThresholdAlert {
        message: text(object, "message", MAX_TEXT)
            .unwrap_or_else(|| format!("{metric} {severity}")),
        metric,
        severity,
        current_value: number("current_value"),
        threshold: number("threshold"),
        duration_seconds: object.get("duration_seconds").and_then(Value::as_i64),
    })
}

fn inventory_change(object: &Map<String, Value>) -> Option<InventoryChange> {
    if object.get("change_type").and_then(Value::as_str) != Some("software_change") {
        return None;
    }
    let changes = object
        .get("changes")?
        .as_array()?
        .iter()
        .filter_map(|change| {
            let change = change.as_object()?;
            let name = text(change, "name", 256)?;
            match change.get("type").and_then(Value::as_str)? {
                "installed" | "updated" => Some(PackageChange::Installed {
                    name,
                    version: text(change, "version", 128).unwrap_or_default(),
                }),
                "removed" => Some(PackageChange::Removed { name }),
                _ => None,
            }
        })
        .take(MAX_CHANGES)
        .collect();
    Some(InventoryChange { changes })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const ID: &str = "0b9c7e5e-1d1f-4f43-9b3c-0123456789ab";

    #[test]
    fn generic_and_raw_replies_name_their_execution() {
        let generic = AgentMessage::parse(
            json!({"action":"ping","request_id":ID,"success":true,"data":{"pong":"ok"}}),
        )
        .unwrap();
        let AgentMessage::Reply(reply) = generic else {
            panic!()
        };
        assert_eq!(
            (reply.execution.to_string(), reply.success),
            (ID.to_owned(), true)
        );
        let failed = AgentMessage::parse(json!({"action":"restart","request_id":ID,"success":false,"error":"agent is in maintenance mode"})).unwrap();
        let AgentMessage::Reply(reply) = failed else {
            panic!()
        };
        assert_eq!(
            (reply.success, reply.error.as_deref()),
            (false, Some("agent is in maintenance mode"))
        );
        let raw = AgentMessage::parse(json!({"action":"script_execution_result","execution_id":ID,"status":"completed","exit_code":3})).unwrap();
        let AgentMessage::Reply(reply) = raw else {
            panic!()
        };
        assert!(reply.success);
        assert_eq!(reply.data.unwrap()["exit_code"], 3);
        let osquery = AgentMessage::parse(
            json!({"action":"run_osquery","scan_type":"x","data":{"rows":[]},"request_id":ID}),
        )
        .unwrap();
        assert!(matches!(
            osquery,
            AgentMessage::Reply(Reply { success: true, .. })
        ));
    }

    #[test]
    fn unsolicited_messages_are_recognised() {
        let alert = AgentMessage::parse(json!({"action":"threshold_alert","metric":"cpu","severity":"critical","current_value":97.5,"threshold":95,"duration_seconds":120,"message":"CPU high"})).unwrap();
        assert!(
            matches!(alert, AgentMessage::ThresholdAlert(ThresholdAlert { ref severity, .. }) if severity == "critical")
        );
        let maintenance = AgentMessage::parse(json!({"action":"set_maintenance","enabled":false,"reason":"Agent started successfully"})).unwrap();
        assert_eq!(maintenance, AgentMessage::SetMaintenance { enabled: false });
        let change = AgentMessage::parse(json!({"action":"inventory_change","change_type":"software_change","changes":[{"type":"installed","name":"vim","version":"9.1"},{"type":"removed","name":"nano"}]})).unwrap();
        let AgentMessage::InventoryChange(change) = change else {
            panic!()
        };
        assert_eq!(change.changes.len(), 2);
    }

    #[test]
    fn junk_is_other_or_refused() {
        assert!(AgentMessage::parse(json!([1, 2])).is_err());
        assert!(AgentMessage::parse(json!({"no":"action"})).is_err());
        let unknown = AgentMessage::parse(json!({"action":"tamper_alert","type":"x"})).unwrap();
        assert_eq!(
            unknown,
            AgentMessage::Other {
                action: "tamper_alert".into()
            }
        );
        let resent = AgentMessage::parse(
            json!({"action":"ping","request_id":format!("{ID}.2"),"success":true}),
        )
        .unwrap();
        assert!(
            matches!(resent, AgentMessage::Reply(Reply { ref execution, .. }) if execution.to_string() == ID)
        );
        let foreign =
            AgentMessage::parse(json!({"action":"ping","request_id":"not-ours","success":true}))
                .unwrap();
        assert!(matches!(foreign, AgentMessage::Other { .. }));
    }

    #[test]
    fn no_message_kind_carries_a_nul_onwards() {
        let reply = AgentMessage::parse(
            json!({"action":"ping","request_id":ID,"success":true,"data":{"pong":"o\u{0}k"}}),
        )
        .unwrap();
        let AgentMessage::Reply(reply) = reply else {
            panic!()
        };
        assert_eq!(reply.data.unwrap()["pong"], "o␀k");
        let raw = AgentMessage::parse(json!({"action":"script_execution_result","execution_id":ID,
            "status":"completed","exit_code":0,"output":"a\u{0}b\u{0}"}))
        .unwrap();
        let AgentMessage::Reply(raw) = raw else {
            panic!()
        };
        assert_eq!(raw.data.unwrap()["output"], "a␀b␀");
        let alert = AgentMessage::parse(json!({"action":"threshold_alert","metric":"c\u{0}pu",
            "severity":"warning","message":"hot\u{0}"}))
        .unwrap();
        let AgentMessage::ThresholdAlert(alert) = alert else {
            panic!()
        };
        assert_eq!(
            (alert.metric.as_str(), alert.message.as_str()),
            ("c␀pu", "hot␀")
        );
        let heartbeat = AgentMessage::parse(json!({"action":"heartbeat","type":"full",
            "stats":{"timezone":"\u{0}"},"docker":{"\u{0}":"\u{0}"}}))
        .unwrap();
        let AgentMessage::Heartbeat(heartbeat) = heartbeat else {
            panic!()
        };
        assert!(!heartbeat.stats.unwrap().to_string().contains('\0'));
        assert_eq!(heartbeat.blocks[0].1, json!({"␀": "␀"}));
        let change = AgentMessage::parse(json!({"action":"inventory_change",
            "change_type":"software_change","changes":[{"type":"installed","name":"v\u{0}im","version":"\u{0}"}]}))
        .unwrap();
        assert_eq!(
            change,
            AgentMessage::InventoryChange(InventoryChange {
                changes: vec![PackageChange::Installed {
                    name: "v␀im".into(),
                    version: "␀".into()
                }]
            })
        );
    }
}
