use serde_json::json;
use uuid::Uuid;

use super::{
    SaveScriptError, Script, ScriptChanges, ScriptId, ScriptInput, ScriptListQuery, ScriptService,
};
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::list::Page;
use crate::{InvalidField, PortError};

/// Why a library operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    /// The caller's role does not allow it.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such script.
    #[error("script not found")]
    NotFound,
    /// Fields break the rules (each named).
    #[error("invalid script: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<InvalidField>),
    /// Another script has this name.
    #[error("a script with this name exists")]
    NameTaken,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl From<SaveScriptError> for ScriptError {
    fn from(error: SaveScriptError) -> Self {
        match error {
            SaveScriptError::NameTaken => Self::NameTaken,
            SaveScriptError::Port(port) => Self::Port(port),
        }
    }
}

const WRITERS: &str = "only technicians and admins may change scripts";

/// Everyone reads the library; changing it is for users of every client, since a script runs
/// wherever anyone runs it (a technician limited to one client must not rewrite what runs on
/// another's machines).
fn require(actor: &Actor, capability: Capability) -> Result<(), ScriptError> {
    if capability == Capability::Read && actor.can(capability) || actor.can_globally(capability) {
        Ok(())
    } else if actor.can(capability) {
        Err(ScriptError::Forbidden(
            "the script library serves every client: only users of every client may change it",
        ))
    } else if capability == Capability::Read {
        Err(ScriptError::Forbidden("you may not read scripts"))
    } else {
        Err(ScriptError::Forbidden(WRITERS))
    }
}

impl ScriptService {
    /// Adds a script to the library (technicians and admins). Its text is checked as the agent
    /// will check it.
    pub async fn create(&self, actor: &Actor, input: ScriptInput) -> Result<Script, ScriptError> {
        require(actor, Capability::Operate)?;
        let definition = input.check().map_err(ScriptError::Invalid)?;
        let now = self.clock.now();
        let script = Script {
            id: ScriptId(Uuid::now_v7()),
            definition,
            created_by: Some(actor.id()),
            created_at: now,
            updated_at: now,
        };
        let created = self.scripts.create(&script).await?;
        tracing::info!(script = %created.id, name = %created.definition.name, by = %actor.id(), "script created");
        self.record(actor, "script.create", &created).await;
        Ok(created)
    }

    /// One script.
    pub async fn get(&self, actor: &Actor, id: ScriptId) -> Result<Script, ScriptError> {
        require(actor, Capability::Read)?;
        self.scripts.find(id).await?.ok_or(ScriptError::NotFound)
    }

    /// One page of scripts.
    pub async fn list(
        &self,
        actor: &Actor,
        query: &ScriptListQuery,
    ) -> Result<Page<Script>, ScriptError> {
        require(actor, Capability::Read)?;
        Ok(self.scripts.list(query).await?)
    }

    /// Changes a script (technicians and admins); the result is checked as a whole.
    pub async fn update(
        &self,
        actor: &Actor,
        id: ScriptId,
        changes: ScriptChanges,
    ) -> Result<Script, ScriptError> {
        require(actor, Capability::Operate)?;
        let current = self.scripts.find(id).await?.ok_or(ScriptError::NotFound)?;
        let definition = changes
            .apply(&current.definition)
            .check()
            .map_err(ScriptError::Invalid)?;
        let updated = self
            .scripts
            .update(id, &definition, self.clock.now())
            .await?
            .ok_or(ScriptError::NotFound)?;
        tracing::info!(script = %id, by = %actor.id(), "script updated");
        self.record(actor, "script.update", &updated).await;
        Ok(updated)
    }

    /// Deletes a script (technicians and admins); its queued runs are cancelled.
    pub async fn delete(&self, actor: &Actor, id: ScriptId) -> Result<(), ScriptError> {
        require(actor, Capability::Operate)?;
        if !self.scripts.delete(id, self.clock.now()).await? {
            return Err(ScriptError::NotFound);
        }
        tracing::info!(script = %id, by = %actor.id(), "script deleted");
        let record = AuditRecord::by(actor, "script.delete").target("script", id);
        self.audit.record(record).await;
        Ok(())
    }

    async fn record(&self, actor: &Actor, action: &'static str, script: &Script) {
        let record = AuditRecord::by(actor, action)
            .target("script", script.id)
            .details(json!({"name": script.definition.name.as_str()}));
        self.audit.record(record).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{actor, script_services};
    use crate::user::Role;

    fn input() -> ScriptInput {
        ScriptInput {
            name: "Uptime".into(),
            script_type: "bash".into(),
            content: "uptime".into(),
            ..ScriptInput::default()
        }
    }

    #[tokio::test]
    async fn technicians_add_checked_scripts() {
        let mut ports = script_services();
        ports
            .scripts
            .expect_create()
            .times(1)
            .returning(|script| Ok(script.clone()));
        let script = ports
            .service()
            .create(&actor(7, Role::Technician), input())
            .await
            .unwrap();
        assert_eq!(script.definition.name.as_str(), "Uptime");
        assert_eq!(script.created_by, Some(crate::user::UserId(7)));
    }

    #[tokio::test]
    async fn viewers_and_bad_scripts_are_refused_before_the_store() {
        let ports = script_services();
        let service = ports.service();
        assert!(matches!(
            service.create(&actor(1, Role::Viewer), input()).await,
            Err(ScriptError::Forbidden(_))
        ));
        let dangerous = ScriptInput {
            content: "echo $(whoami)".into(),
            ..input()
        };
        let Err(ScriptError::Invalid(fields)) =
            service.create(&actor(1, Role::Admin), dangerous).await
        else {
            panic!("accepted")
        };
        assert_eq!(fields[0].field, "content");
        assert!(fields[0].message.contains("command substitution"));
    }

    #[tokio::test]
    async fn updates_are_checked_as_a_whole() {
        let mut ports = script_services();
        let current = Script {
            id: ScriptId(Uuid::nil()),
            definition: input().check().unwrap(),
            created_by: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        };
        ports
            .scripts
            .expect_find()
            .returning(move |_| Ok(Some(current.clone())));
        let changes = ScriptChanges {
            platforms: Some(Some(vec!["windows".into()])),
            ..ScriptChanges::default()
        };
        let result = ports
            .service()
            .update(&actor(1, Role::Admin), ScriptId(Uuid::nil()), changes)
            .await;
        assert!(matches!(result, Err(ScriptError::Invalid(ref f)) if f[0].field == "platforms[0]"));
    }
}
