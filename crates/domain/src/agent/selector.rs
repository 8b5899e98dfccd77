use super::{AgentId, AgentOs, Hostname, Tag};

/// Which approved agents a bulk action (a script run, a patch policy) reaches: every agent
/// (`all`), or those listed by uuid or carrying one of the tags, narrowed to the operating
/// systems in `os` when it is not empty. `os` alone selects every agent on those systems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentSelector {
    /// Every approved agent.
    pub all: bool,
    /// These agents.
    pub agents: Vec<AgentId>,
    /// Agents with any of these tags.
    pub tags: Vec<Tag>,
    /// Only agents on these systems.
    pub os: Vec<AgentOs>,
}

impl AgentSelector {
    /// Selects nothing at all (no criterion given).
    pub fn is_empty(&self) -> bool {
        !self.all && self.agents.is_empty() && self.tags.is_empty() && self.os.is_empty()
    }
}

/// An approved agent a bulk action reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The agent.
    pub id: AgentId,
    /// Its host name.
    pub hostname: Hostname,
    /// Its operating system.
    pub os: AgentOs,
    /// Connected now (its command goes out at once).
    pub online: bool,
}
