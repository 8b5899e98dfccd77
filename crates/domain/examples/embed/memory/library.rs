//! Scripts and policies, stored in the [`MemoryDb`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use slimrmm_domain::PortError;
use slimrmm_domain::execution::{Execution, NewExecution};
use slimrmm_domain::list::Page;
use slimrmm_domain::policy::{
    Policy, PolicyDefinition, PolicyId, PolicyListQuery, PolicyRepository, PolicyRun, PolicyRunId,
    PolicySort, RunListQuery, RunSort, RunSummary, SavePolicyError,
};
use slimrmm_domain::script::{
    SaveScriptError, Script, ScriptDefinition, ScriptId, ScriptListQuery, ScriptRepository,
    ScriptSort,
};

use super::{MemoryDb, found, maybe_time, paginate, same_text, text, time};

#[async_trait]
impl ScriptRepository for MemoryDb {
    async fn create(&self, script: &Script) -> Result<Script, SaveScriptError> {
        let mut db = self.lock();
        let name = script.definition.name.as_str();
        if db
            .scripts
            .iter()
            .any(|s| same_text(s.definition.name.as_str(), name))
        {
            return Err(SaveScriptError::NameTaken);
        }
        db.scripts.push(script.clone());
        Ok(script.clone())
    }

    async fn find(&self, id: ScriptId) -> Result<Option<Script>, PortError> {
        Ok(self.lock().scripts.iter().find(|s| s.id == id).cloned())
    }

    async fn list(&self, query: &ScriptListQuery) -> Result<Page<Script>, PortError> {
        let db = self.lock();
        let filter = &query.filter;
        let rows = db
            .scripts
            .iter()
            .filter(|s| {
                filter
                    .script_type
                    .is_none_or(|t| s.definition.script_type == t)
            })
            .filter(|s| {
                let category = s.definition.category.as_deref().unwrap_or_default();
                filter
                    .category
                    .as_deref()
                    .is_none_or(|c| same_text(c, category))
            })
            .filter(|s| {
                let d = &s.definition;
                let description = d.description.as_deref().unwrap_or_default();
                let category = d.category.as_deref().unwrap_or_default();
                found(
                    query.search.as_ref(),
                    &[d.name.as_str(), description, category],
                )
            })
            .cloned()
            .collect();
        Ok(paginate(rows, query, |script, sort| match sort {
            ScriptSort::Name => text(script.definition.name.as_str()),
            ScriptSort::CreatedAt => time(script.created_at),
            ScriptSort::UpdatedAt => time(script.updated_at),
        }))
    }

    async fn update(
        &self,
        id: ScriptId,
        definition: &ScriptDefinition,
        now: DateTime<Utc>,
    ) -> Result<Option<Script>, SaveScriptError> {
        let mut db = self.lock();
        let name = definition.name.as_str();
        if db
            .scripts
            .iter()
            .any(|s| s.id != id && same_text(s.definition.name.as_str(), name))
        {
            return Err(SaveScriptError::NameTaken);
        }
        let Some(script) = db.scripts.iter_mut().find(|s| s.id == id) else {
            return Ok(None);
        };
        script.definition = definition.clone();
        script.updated_at = now;
        Ok(Some(script.clone()))
    }

    async fn delete(&self, id: ScriptId, now: DateTime<Utc>) -> Result<bool, PortError> {
        let mut db = self.lock();
        let before = db.scripts.len();
        db.scripts.retain(|s| s.id != id);
        if db.scripts.len() == before {
            return Ok(false);
        }
        let why = "the script was deleted before the agent came online";
        db.cancel_queued(|e| e.script == Some(id), why, now);
        Ok(true)
    }
}

#[async_trait]
impl PolicyRepository for MemoryDb {
    async fn create(&self, policy: &Policy) -> Result<Policy, SavePolicyError> {
        let mut db = self.lock();
        let name = policy.definition.name.as_str();
        if db
            .policies
            .iter()
            .any(|p| same_text(p.definition.name.as_str(), name))
        {
            return Err(SavePolicyError::NameTaken);
        }
        db.policies.push(policy.clone());
        Ok(policy.clone())
    }

    async fn find(&self, id: PolicyId) -> Result<Option<Policy>, PortError> {
        Ok(self.lock().policies.iter().find(|p| p.id == id).cloned())
    }

    async fn list(&self, query: &PolicyListQuery) -> Result<Page<Policy>, PortError> {
        let db = self.lock();
        let rows = db
            .policies
            .iter()
            .filter(|p| {
                query
                    .filter
                    .enabled
                    .is_none_or(|e| p.definition.enabled == e)
            })
            .filter(|p| {
                let d = &p.definition;
                let description = d.description.as_deref().unwrap_or_default();
                found(query.search.as_ref(), &[d.name.as_str(), description])
            })
            .cloned()
            .collect();
        Ok(paginate(rows, query, |policy, sort| match sort {
            PolicySort::Name => text(policy.definition.name.as_str()),
            PolicySort::CreatedAt => time(policy.created_at),
            PolicySort::UpdatedAt => time(policy.updated_at),
            PolicySort::NextRunAt => maybe_time(policy.next_run_at),
        }))
    }

    async fn update(
        &self,
        id: PolicyId,
        definition: &PolicyDefinition,
        next_run_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Option<Policy>, SavePolicyError> {
        let mut db = self.lock();
        let name = definition.name.as_str();
        if db
            .policies
            .iter()
            .any(|p| p.id != id && same_text(p.definition.name.as_str(), name))
        {
            return Err(SavePolicyError::NameTaken);
        }
        let Some(policy) = db.policies.iter_mut().find(|p| p.id == id) else {
            return Ok(None);
        };
        policy.definition = definition.clone();
        policy.next_run_at = next_run_at;
        policy.updated_at = now;
        Ok(Some(policy.clone()))
    }

    async fn delete(&self, id: PolicyId, now: DateTime<Utc>) -> Result<bool, PortError> {
        let mut db = self.lock();
        if !db.policies.iter().any(|p| p.id == id) {
            return Ok(false);
        }
        let runs: Vec<PolicyRunId> = db
            .policy_runs
            .iter()
            .filter(|run| run.policy == id)
            .map(|run| run.id)
            .collect();
        let why = "the policy was deleted before the agent came online";
        db.cancel_queued(
            |e| e.policy_run.is_some_and(|r| runs.contains(&r)),
            why,
            now,
        );
        db.policy_runs.retain(|run| run.policy != id);
        db.policies.retain(|p| p.id != id);
        Ok(true)
    }

    async fn due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Policy>, PortError> {
        let db = self.lock();
        let mut due: Vec<Policy> = db
            .policies
            .iter()
            .filter(|p| p.definition.enabled && p.next_run_at.is_some_and(|at| at <= now))
            .cloned()
            .collect();
        due.sort_by_key(|p| p.next_run_at);
        due.truncate(limit as usize);
        Ok(due)
    }

    async fn advance(
        &self,
        id: PolicyId,
        slot: DateTime<Utc>,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool, PortError> {
        let mut db = self.lock();
        let Some(policy) = db
            .policies
            .iter_mut()
            .find(|p| p.id == id && p.next_run_at == Some(slot))
        else {
            return Ok(false);
        };
        policy.next_run_at = next;
        Ok(true)
    }

    async fn start_run(
        &self,
        run: &PolicyRun,
        executions: &[NewExecution],
    ) -> Result<Vec<Execution>, PortError> {
        let mut db = self.lock();
        let created = db.insert_executions(executions)?;
        db.policy_runs.push(run.clone());
        Ok(created)
    }

    async fn find_run(&self, id: PolicyRunId) -> Result<Option<RunSummary>, PortError> {
        let db = self.lock();
        let run = db.policy_runs.iter().find(|run| run.id == id);
        Ok(run.map(|run| db.run_summary(run)))
    }

    async fn list_runs(&self, query: &RunListQuery) -> Result<Page<RunSummary>, PortError> {
        let db = self.lock();
        let rows = db
            .policy_runs
            .iter()
            .filter(|run| query.filter.policy.is_none_or(|p| run.policy == p))
            .map(|run| db.run_summary(run))
            .collect();
        Ok(paginate(rows, query, |summary, sort| match sort {
            RunSort::CreatedAt => time(summary.run.created_at),
        }))
    }
}
