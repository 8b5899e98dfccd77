use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Script, ScriptDefinition, ScriptId, ScriptListQuery};
use crate::PortError;
use crate::list::Page;

/// Why a script could not be saved.
#[derive(Debug, thiserror::Error)]
pub enum SaveScriptError {
    /// Another script has this name.
    #[error("a script with this name exists")]
    NameTaken,
    /// The store failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Where the script library is kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ScriptRepository: Send + Sync {
    /// Stores a new script.
    async fn create(&self, script: &Script) -> Result<Script, SaveScriptError>;

    /// One script.
    async fn find(&self, id: ScriptId) -> Result<Option<Script>, PortError>;

    /// One page of scripts.
    async fn list(&self, query: &ScriptListQuery) -> Result<Page<Script>, PortError>;

    /// Replaces a script's definition.
    async fn update(
        &self,
        id: ScriptId,
        definition: &ScriptDefinition,
        now: DateTime<Utc>,
    ) -> Result<Option<Script>, SaveScriptError>;

    /// Deletes a script, cancelling its runs that were not sent yet (those already run keep
    /// their results). False when there was no such script.
    async fn delete(&self, id: ScriptId, now: DateTime<Utc>) -> Result<bool, PortError>;
}
