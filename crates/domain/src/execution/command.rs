use chrono::{DateTime, TimeDelta};
use serde_json::{Map, Value, json};

/// The actions technicians may send to an agent, with checked parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Liveness check.
    Ping,
    /// Reboot.
    Restart {
        /// Without waiting for programs.
        force: bool,
        /// Seconds to wait first.
        delay: u32,
    },
    /// Power off.
    Shutdown {
        /// Without waiting for programs.
        force: bool,
        /// Seconds to wait first.
        delay: u32,
    },
    /// Cancel a pending restart or shutdown.
    CancelShutdown,
    /// Current system facts.
    GetSystemStats,
    /// A whitelisted read-only command (the agent refuses shells and metacharacters).
    CustomCommand {
        /// The command line.
        command: String,
        /// Seconds it may take.
        timeout: u32,
    },
    /// Installed software.
    GetSoftwareInventory,
    /// Pending updates.
    GetAvailableUpdates,
    /// Services.
    ListServices,
    /// Start a service.
    StartService {
        /// The service.
        name: String,
    },
    /// Stop a service.
    StopService {
        /// The service.
        name: String,
    },
    /// Restart a service.
    RestartService {
        /// The service.
        name: String,
    },
    /// Processes.
    ListProcesses,
    /// Block destructive actions on the agent, or allow them again.
    SetMaintenanceMode {
        /// On or off.
        enabled: bool,
    },
    /// The agent's own log.
    PullLogs {
        /// Only entries after this time (RFC 3339).
        after_timestamp: Option<String>,
        /// At most this many (1 to 10,000).
        limit: u32,
    },
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Not on the whitelist.
    #[error("must be one of: {}", Command::CATALOGUE.iter().map(|spec| spec.name).collect::<Vec<_>>().join(", "))]
    UnknownAction,
    /// A parameter is missing, unknown or invalid.
    #[error("{field}: {message}")]
    Param {
        /// `params.<name>`.
        field: String,
        /// Why.
        message: String,
    },
}

fn param_error(name: &str, message: impl Into<String>) -> CommandError {
    CommandError::Param {
        field: format!("params.{name}"),
        message: message.into(),
    }
}

/// Reads typed parameters, refusing unknown ones.
struct Params<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Params<'a> {
    fn new(map: &'a Map<String, Value>, allowed: &[&str]) -> Result<Self, CommandError> {
        if let Some(unknown) = map.keys().find(|key| !allowed.contains(&key.as_str())) {
            let expected = if allowed.is_empty() {
                "this action takes no parameters".to_owned()
            } else {
                format!(
                    "is not a parameter of this action; expected one of: {}",
                    allowed.join(", ")
                )
            };
            return Err(param_error(unknown, expected));
        }
        Ok(Self { map })
    }

    fn bool(&self, name: &str, default: Option<bool>) -> Result<bool, CommandError> {
        match self.map.get(name) {
            None | Some(Value::Null) => default.ok_or_else(|| param_error(name, "is required")),
            Some(value) => value
                .as_bool()
                .ok_or_else(|| param_error(name, "must be true or false")),
        }
    }

    fn integer(
        &self,
        name: &str,
        default: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<u32, CommandError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(default),
            Some(value) => value
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| range.contains(n))
                .ok_or_else(|| {
                    param_error(
                        name,
                        format!(
                            "must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ),
                    )
                }),
        }
    }

    fn text(&self, name: &str) -> Result<Option<&'a str>, CommandError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_str()
                .map(Some)
                .ok_or_else(|| param_error(name, "must be a string")),
        }
    }

    fn service(&self) -> Result<String, CommandError> {
        let name = self
            .text("name")?
            .ok_or_else(|| param_error("name", "is required"))?;
        let valid = (1..=256).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !valid {
            return Err(param_error(
                "name",
                "must be 1 to 256 of letters, digits, '.', '_' and '-'",
            ));
        }
        Ok(name.to_owned())
    }
}

const METACHARACTERS: [&str; 8] = [";", "|", ">", "<", "`", "&&", "||", "$("];

/// One action of the catalogue: its name on the wire, the parameters it takes, and whether
/// it may change the machine (such a command is never re-sent after a lost connection; a
/// custom command counts, since nothing tells what it does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionSpec {
    /// The agent action.
    pub name: &'static str,
    /// The parameters accepted (any other is refused).
    pub params: &'static [&'static str],
    /// May change the machine.
    pub mutating: bool,
}

const fn spec(name: &'static str, params: &'static [&'static str], mutating: bool) -> ActionSpec {
    ActionSpec {
        name,
        params,
        mutating,
    }
}

impl Command {
    /// Every action technicians may send, one row each.
    pub const CATALOGUE: &'static [ActionSpec] = &[
        spec("ping", &[], false),
        spec("restart", &["force", "delay"], true),
        spec("shutdown", &["force", "delay"], true),
        spec("cancel_shutdown", &[], true),
        spec("get_system_stats", &[], false),
        spec("custom_command", &["command", "timeout"], true),
        spec("get_software_inventory", &[], false),
        spec("get_available_updates", &[], false),
        spec("list_services", &[], false),
        spec("start_service", &["name"], true),
        spec("stop_service", &["name"], true),
        spec("restart_service", &["name"], true),
        spec("list_processes", &[], false),
        spec("set_maintenance_mode", &["enabled"], true),
        spec("pull_logs", &["after_timestamp", "limit"], false),
    ];

    /// The catalogue's row for `action`.
    pub fn spec(action: &str) -> Option<&'static ActionSpec> {
        Self::CATALOGUE.iter().find(|spec| spec.name == action)
    }

    /// Checks an action and its parameters (a JSON object, or absent).
    pub fn parse(action: &str, params: Option<&Value>) -> Result<Self, CommandError> {
        let empty = Map::new();
        let map = match params {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => {
                return Err(CommandError::Param {
                    field: "params".into(),
                    message: "must be a JSON object".into(),
                });
            }
        };
        let spec = Self::spec(action).ok_or(CommandError::UnknownAction)?;
        let p = Params::new(map, spec.params)?;
        match action {
            "ping" => Ok(Self::Ping),
            "cancel_shutdown" => Ok(Self::CancelShutdown),
            "get_system_stats" => Ok(Self::GetSystemStats),
            "get_software_inventory" => Ok(Self::GetSoftwareInventory),
            "get_available_updates" => Ok(Self::GetAvailableUpdates),
            "list_services" => Ok(Self::ListServices),
            "list_processes" => Ok(Self::ListProcesses),
            "restart" | "shutdown" => {
                let (force, delay) = (
                    p.bool("force", Some(false))?,
                    p.integer("delay", 0, 0..=86_400)?,
                );
                Ok(if action == "restart" {
                    Self::Restart { force, delay }
                } else {
                    Self::Shutdown { force, delay }
                })
            }
            "custom_command" => {
                let command = p.text("command")?.map(str::trim).unwrap_or_default();
                if command.is_empty()
                    || command.len() > 1024
                    || command.chars().any(char::is_control)
                {
                    return Err(param_error(
                        "command",
                        "must be 1 to 1024 characters on one line",
                    ));
                }
                if let Some(found) = METACHARACTERS.iter().find(|m| command.contains(*m)) {
                    return Err(param_error(
                        "command",
                        format!(
                            "contains {found:?}: the agent runs whitelisted commands without a shell"
                        ),
                    ));
                }
                Ok(Self::CustomCommand {
                    command: command.to_owned(),
                    timeout: p.integer("timeout", 60, 1..=600)?,
                })
            }
            "start_service" | "stop_service" | "restart_service" => {
                let name = p.service()?;
                Ok(match action {
                    "start_service" => Self::StartService { name },
                    "stop_service" => Self::StopService { name },
                    _ => Self::RestartService { name },
                })
            }
            "set_maintenance_mode" => Ok(Self::SetMaintenanceMode {
                enabled: p.bool("enabled", None)?,
            }),
            "pull_logs" => {
                let after = p.text("after_timestamp")?;
                if let Some(after) = after
                    && DateTime::parse_from_rfc3339(after).is_err()
                {
                    return Err(param_error("after_timestamp", "must be an RFC 3339 time"));
                }
                Ok(Self::PullLogs {
                    after_timestamp: after.map(str::to_owned),
                    limit: p.integer("limit", 1000, 1..=10_000)?,
                })
            }
            _ => Err(CommandError::UnknownAction),
        }
    }

    /// The agent action.
    pub fn action(&self) -> &'static str {
        match self {
            Self::Ping => "ping",
            Self::Restart { .. } => "restart",
            Self::Shutdown { .. } => "shutdown",
            Self::CancelShutdown => "cancel_shutdown",
            Self::GetSystemStats => "get_system_stats",
            Self::CustomCommand { .. } => "custom_command",
            Self::GetSoftwareInventory => "get_software_inventory",
            Self::GetAvailableUpdates => "get_available_updates",
            Self::ListServices => "list_services",
            Self::StartService { .. } => "start_service",
            Self::StopService { .. } => "stop_service",
            Self::RestartService { .. } => "restart_service",
            Self::ListProcesses => "list_processes",
            Self::SetMaintenanceMode { .. } => "set_maintenance_mode",
            Self::PullLogs { .. } => "pull_logs",
        }
    }

    /// May change the machine ([`ActionSpec::mutating`]).
    pub fn is_mutating(&self) -> bool {
        Self::spec(self.action()).is_none_or(|spec| spec.mutating)
    }

    /// How long the agent may take to answer once it has the command: its own handler timeout
    /// (30 s, or the command's timeout for `custom_command`) plus 15 s for the network.
    pub fn answer_within(&self) -> TimeDelta {
        let handler = match self {
            Self::CustomCommand { timeout, .. } => i64::from(*timeout),
            _ => 30,
        };
        TimeDelta::seconds(handler + 15)
    }

    /// The parameters as the agent reads them.
    pub fn params(&self) -> Value {
        match self {
            Self::Restart { force, delay } | Self::Shutdown { force, delay } => {
                json!({"force": force, "delay": delay})
            }
            Self::CustomCommand { command, timeout } => {
                json!({"command": command, "timeout": timeout})
            }
            Self::StartService { name }
            | Self::StopService { name }
            | Self::RestartService { name } => {
                json!({"name": name})
            }
            Self::SetMaintenanceMode { enabled } => json!({"enabled": enabled}),
            Self::PullLogs {
                after_timestamp,
                limit,
            } => match after_timestamp {
                Some(after) => json!({"after_timestamp": after, "limit": limit}),
                None => json!({"limit": limit}),
            },
            _ => json!({}),
        }
    }
}

#[cfg(test)]
mod tests;
