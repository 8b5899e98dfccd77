use chrono::TimeDelta;
use serde_json::json;
use uuid::Uuid;

use super::{Script, ScriptId, ScriptService};
use crate::PortError;
use crate::agent::{AgentId, AgentSelector, Target};
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::execution::{Execution, ExecutionId, NewExecution, announce};
use crate::tenancy::Scope;

/// Which agents run a script, and how long offline ones may take to come online.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptRunRequest {
    /// The agents (approved ones only).
    pub targets: AgentSelector,
    /// How long each execution waits for an offline agent (default 24 h).
    pub expires_in: Option<TimeDelta>,
}

/// A script queued on its agents: one execution each.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptRun {
    /// The script.
    pub script: ScriptId,
    /// One per agent, queued (sent at once to connected agents).
    pub executions: Vec<Execution>,
    /// How many of the agents are offline (their execution waits).
    pub offline: usize,
}

/// Why a script could not be run.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteScriptError {
    /// Viewers run nothing.
    #[error("only technicians and admins may run scripts")]
    Forbidden,
    /// No such script.
    #[error("script not found")]
    NotFound,
    /// No selection given.
    #[error("name the agents: agent_uuids, tag or os")]
    NoSelection,
    /// Agents listed by uuid that do not exist or are not approved.
    #[error("not found or not approved: {}", list_ids(.0))]
    UnknownAgents(Vec<AgentId>),
    /// The selection reaches no approved agent.
    #[error("no approved agent matches")]
    NoTargets,
    /// Agents whose system cannot run the script (nothing was queued).
    #[error("{script_type} scripts do not run on: {}", list_targets(.agents))]
    Incompatible {
        /// The script's type.
        script_type: &'static str,
        /// The agents refused.
        agents: Vec<Target>,
    },
    /// `expires_in` is under one second or over the configured maximum
    /// (`ExecutionSettings::max_expiry`, 7 days by default).
    #[error("expires_in must be between 1 second and {max_seconds} seconds")]
    InvalidExpiry {
        /// The largest accepted.
        max_seconds: i64,
    },
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

fn list_ids(ids: &[AgentId]) -> String {
    ids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn list_targets(targets: &[Target]) -> String {
    targets
        .iter()
        .map(|t| format!("{} ({}, {})", t.hostname, t.id, t.os))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Script {
    /// The agent's `execute_script` fields for one execution.
    fn command(&self, execution: ExecutionId) -> serde_json::Value {
        let definition = &self.definition;
        json!({
            "execution_id": execution.to_string(),
            "script_name": definition.name.as_str(),
            "script_type": definition.script_type.as_str(),
            "script_content": definition.content.as_str(),
            "timeout_seconds": definition.timeout_seconds,
        })
    }
}

impl ScriptService {
    async fn unknown_agents(
        &self,
        scope: &Scope,
        selector: &AgentSelector,
        selected: &[Target],
    ) -> Result<Vec<AgentId>, PortError> {
        let mut missing: Vec<AgentId> = selector
            .agents
            .iter()
            .copied()
            .filter(|id| !selected.iter().any(|target| target.id == *id))
            .collect();
        if !missing.is_empty() && !selector.os.is_empty() {
            // Listed agents on other systems were left out on purpose, not unknown.
            let listed = AgentSelector {
                agents: missing.clone(),
                ..AgentSelector::default()
            };
            let existing = self.agents.select(scope, &listed).await?;
            missing.retain(|id| !existing.iter().any(|target| target.id == *id));
        }
        Ok(missing)
    }

    /// Queues the script on every selected agent (technicians and admins): all of them or,
    /// when an agent listed is unknown or a selected agent's system cannot run the script,
    /// none.
    pub async fn execute(
        &self,
        actor: &Actor,
        id: ScriptId,
        request: ScriptRunRequest,
    ) -> Result<ScriptRun, ExecuteScriptError> {
        if !actor.can(Capability::Operate) {
            return Err(ExecuteScriptError::Forbidden);
        }
        let expires_in =
            self.settings
                .expiry(request.expires_in)
                .ok_or(ExecuteScriptError::InvalidExpiry {
                    max_seconds: self.settings.max_expiry.num_seconds(),
                })?;
        let script = self
            .scripts
            .find(id)
            .await?
            .ok_or(ExecuteScriptError::NotFound)?;
        let selector = request.targets;
        if selector.is_empty() {
            return Err(ExecuteScriptError::NoSelection);
        }
        // A selector reaches only the caller's clients; an agent listed outside them is as
        // unknown as one that does not exist.
        let targets = self.agents.select(actor.scope(), &selector).await?;
        let unknown = self
            .unknown_agents(actor.scope(), &selector, &targets)
            .await?;
        if !unknown.is_empty() {
            return Err(ExecuteScriptError::UnknownAgents(unknown));
        }
        if targets.is_empty() {
            return Err(ExecuteScriptError::NoTargets);
        }
        let platforms = script.definition.platforms();
        let incompatible: Vec<Target> = targets
            .iter()
            .filter(|target| !platforms.contains(&target.os))
            .cloned()
            .collect();
        if !incompatible.is_empty() {
            return Err(ExecuteScriptError::Incompatible {
                script_type: script.definition.script_type.as_str(),
                agents: incompatible,
            });
        }
        let now = self.clock.now();
        let answer_within = u32::try_from(
            (TimeDelta::seconds(i64::from(script.definition.timeout_seconds))
                + TimeDelta::seconds(15))
            .num_seconds(),
        )
        .unwrap_or(u32::MAX);
        let new: Vec<NewExecution> = targets
            .iter()
            .map(|target| {
                let execution = ExecutionId(Uuid::new_v4());
                NewExecution {
                    id: execution,
                    agent: target.id,
                    action: "execute_script".into(),
                    params: script.command(execution),
                    mutating: true,
                    timeout_seconds: answer_within,
                    created_by: Some(actor.id()),
                    created_at: now,
                    expires_at: now + expires_in,
                    script: Some(script.id),
                    policy_run: None,
                }
            })
            .collect();
        let executions = self.executions.create_many(&new).await?;
        announce(self.waker.as_ref(), self.events.as_ref(), &executions);
        let offline = targets.iter().filter(|target| !target.online).count();
        tracing::info!(script = %id, agents = executions.len(), offline, by = %actor.id(), "script queued");
        let ids: Vec<String> = executions.iter().map(|run| run.id.to_string()).collect();
        let record = AuditRecord::by(actor, "script.execute")
            .target("script", id)
            .details(json!({"agents": executions.len(), "execution_ids": ids}));
        self.audit.record(record).await;
        Ok(ScriptRun {
            script: id,
            executions,
            offline,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{AgentOs, Hostname};
    use crate::script::ScriptInput;
    use crate::test_support::{actor, queued, script_services};
    use crate::user::Role;

    fn target(os: AgentOs, online: bool) -> Target {
        Target {
            id: AgentId(Uuid::new_v4()),
            hostname: Hostname::parse("host").unwrap(),
            os,
            online,
        }
    }

    fn script(kind: &str) -> Script {
        Script {
            id: ScriptId(Uuid::nil()),
            definition: ScriptInput {
                name: "x".into(),
                script_type: kind.into(),
                content: "echo hi".into(),
                timeout_seconds: Some(30),
                ..ScriptInput::default()
            }
            .check()
            .unwrap(),
            created_by: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    fn by_os(os: AgentOs) -> ScriptRunRequest {
        ScriptRunRequest {
            targets: AgentSelector {
                os: vec![os],
                ..AgentSelector::default()
            },
            expires_in: None,
        }
    }

    #[tokio::test]
    async fn one_execution_per_agent_carries_the_script() {
        let mut ports = script_services();
        ports
            .scripts
            .expect_find()
            .returning(|_| Ok(Some(script("bash"))));
        let targets = vec![target(AgentOs::Linux, true), target(AgentOs::Linux, false)];
        ports
            .agents
            .expect_select()
            .returning(move |_, _| Ok(targets.clone()));
        ports
            .executions
            .expect_create_many()
            .times(1)
            .returning(|new| {
                let first = &new[0];
                assert_eq!(first.action, "execute_script");
                assert!(first.mutating);
                assert_eq!(first.timeout_seconds, 45);
                assert_eq!(first.params["execution_id"], first.id.to_string());
                assert_eq!(first.params["script_content"], "echo hi");
                assert_eq!(first.params["timeout_seconds"], 30);
                Ok(new.iter().map(queued).collect())
            });
        ports.waker.expect_wake().times(2).return_const(());
        let run = ports
            .service()
            .execute(
                &actor(1, Role::Technician),
                ScriptId(Uuid::nil()),
                by_os(AgentOs::Linux),
            )
            .await
            .unwrap();
        assert_eq!((run.executions.len(), run.offline), (2, 1));
    }

    #[tokio::test]
    async fn agents_that_cannot_run_it_are_refused_up_front() {
        let mut ports = script_services();
        ports
            .scripts
            .expect_find()
            .returning(|_| Ok(Some(script("bash"))));
        ports
            .agents
            .expect_select()
            .returning(|_, _| Ok(vec![target(AgentOs::Windows, true)]));
        ports.executions.expect_create_many().never();
        let result = ports
            .service()
            .execute(
                &actor(1, Role::Admin),
                ScriptId(Uuid::nil()),
                by_os(AgentOs::Windows),
            )
            .await;
        assert!(matches!(
            result,
            Err(ExecuteScriptError::Incompatible { ref agents, .. }) if agents.len() == 1
        ));
    }

    #[tokio::test]
    async fn unknown_agents_and_empty_selections_are_refused() {
        let mut ports = script_services();
        ports
            .scripts
            .expect_find()
            .returning(|_| Ok(Some(script("python"))));
        ports
            .agents
            .expect_select()
            .returning(|_, _| Ok(Vec::new()));
        let service = ports.service();
        let admin = actor(1, Role::Admin);
        let missing = AgentId(Uuid::new_v4());
        let listed = ScriptRunRequest {
            targets: AgentSelector {
                agents: vec![missing],
                ..AgentSelector::default()
            },
            expires_in: None,
        };
        assert!(matches!(
            service.execute(&admin, ScriptId(Uuid::nil()), listed).await,
            Err(ExecuteScriptError::UnknownAgents(ref ids)) if ids == &vec![missing]
        ));
        assert!(matches!(
            service
                .execute(&admin, ScriptId(Uuid::nil()), ScriptRunRequest::default())
                .await,
            Err(ExecuteScriptError::NoSelection)
        ));
        assert!(matches!(
            service
                .execute(&admin, ScriptId(Uuid::nil()), by_os(AgentOs::Darwin))
                .await,
            Err(ExecuteScriptError::NoTargets)
        ));
    }
}
