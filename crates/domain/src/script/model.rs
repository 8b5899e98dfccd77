use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ScriptContent;
use crate::agent::AgentOs;
use crate::text::Name;
use crate::user::UserId;

/// A script's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScriptId(pub Uuid);

impl fmt::Display for ScriptId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The interpreter a script is written for (§5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScriptType {
    /// `bash -c` (not on Windows).
    Bash,
    /// `sh -c` (not on Windows).
    Sh,
    /// `powershell` on Windows, `pwsh` elsewhere.
    Powershell,
    /// `python3 -c` (`python` on Windows).
    Python,
    /// `cmd /C` (Windows only).
    Cmd,
}

impl ScriptType {
    /// Every type.
    pub const ALL: [Self; 5] = [
        Self::Bash,
        Self::Sh,
        Self::Powershell,
        Self::Python,
        Self::Cmd,
    ];

    /// The name the API and the agent use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bash => "bash",
            Self::Sh => "sh",
            Self::Powershell => "powershell",
            Self::Python => "python",
            Self::Cmd => "cmd",
        }
    }

    /// The systems on which the agent can run it.
    pub fn supported_os(self) -> &'static [AgentOs] {
        match self {
            Self::Bash | Self::Sh => &[AgentOs::Linux, AgentOs::Darwin],
            Self::Powershell | Self::Python => &[AgentOs::Linux, AgentOs::Darwin, AgentOs::Windows],
            Self::Cmd => &[AgentOs::Windows],
        }
    }
}

impl fmt::Display for ScriptType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScriptType {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == value)
            .ok_or_else(|| "must be one of: bash, sh, powershell, python, cmd".to_owned())
    }
}

/// What a script is, checked: everything but its identity and history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptDefinition {
    /// Unique name.
    pub name: Name,
    /// For people.
    pub description: Option<String>,
    /// Its interpreter.
    pub script_type: ScriptType,
    /// Its text.
    pub content: ScriptContent,
    /// How long the agent lets it run (1 to 600 s).
    pub timeout_seconds: u32,
    /// The systems it was declared for (a subset of what its type runs on); `None`: all of
    /// those.
    pub declared_platforms: Option<Vec<AgentOs>>,
    /// A grouping for people.
    pub category: Option<String>,
}

impl ScriptDefinition {
    /// The systems it may be sent to.
    pub fn platforms(&self) -> Vec<AgentOs> {
        self.declared_platforms
            .clone()
            .unwrap_or_else(|| self.script_type.supported_os().to_vec())
    }
}

/// A script in the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Its id.
    pub id: ScriptId,
    /// What it is.
    pub definition: ScriptDefinition,
    /// Who created it.
    pub created_by: Option<UserId>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
