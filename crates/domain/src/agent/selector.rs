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

    /// Whether it reaches `agent` (approval aside, which the repository checks): the rule
    /// every [`AgentRepository::select`](super::AgentRepository::select) implements.
    pub fn selects(&self, agent: &super::Agent) -> bool {
        let named =
            self.agents.contains(&agent.id) || agent.tags.iter().any(|tag| self.tags.contains(tag));
        let by_os_alone = self.agents.is_empty() && self.tags.is_empty() && !self.os.is_empty();
        let on_system = self.os.is_empty() || self.os.contains(&agent.facts.os);
        (self.all || named || by_os_alone) && on_system
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

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::agent::{AgentStatus, Tags};
    use crate::fixtures::stored_agent;

    #[test]
    fn uuids_and_tags_select_os_narrows_and_os_alone_selects_its_systems() {
        let mut agent = stored_agent(AgentId(Uuid::from_u128(1)), AgentStatus::Online).agent;
        agent.tags = Tags::parse(&["office"]).unwrap();
        let office = Tag::parse("office").unwrap();
        let cases = [
            (
                AgentSelector {
                    all: true,
                    ..Default::default()
                },
                true,
            ),
            (
                AgentSelector {
                    agents: vec![agent.id],
                    ..Default::default()
                },
                true,
            ),
            (
                AgentSelector {
                    agents: vec![AgentId(Uuid::from_u128(2))],
                    ..Default::default()
                },
                false,
            ),
            (
                AgentSelector {
                    tags: vec![office.clone()],
                    ..Default::default()
                },
                true,
            ),
            (
                AgentSelector {
                    tags: vec![office.clone()],
                    os: vec![AgentOs::Windows],
                    ..Default::default()
                },
                false,
            ),
            (
                AgentSelector {
                    os: vec![AgentOs::Linux],
                    ..Default::default()
                },
                true,
            ),
            (
                AgentSelector {
                    os: vec![AgentOs::Darwin],
                    ..Default::default()
                },
                false,
            ),
            (AgentSelector::default(), false),
        ];
        for (selector, expected) in cases {
            assert_eq!(selector.selects(&agent), expected, "{selector:?}");
        }
    }
}
