//! The script library: scripts technicians write once and run on many agents (§5).

mod content;
mod crud;
mod execute;
mod input;
mod model;
mod query;
mod repository;
mod service;

pub use content::{ContentError, MAX_SCRIPT_BYTES, ScriptContent};
pub use crud::ScriptError;
pub use execute::{ExecuteScriptError, ScriptRun, ScriptRunRequest};
pub use input::{
    DEFAULT_TIMEOUT_SECONDS, MAX_CATEGORY, MAX_DESCRIPTION, MAX_TIMEOUT_SECONDS, ScriptChanges,
    ScriptInput,
};
pub use model::{Script, ScriptDefinition, ScriptId, ScriptType};
pub use query::{ScriptFilter, ScriptListQuery, ScriptSort};
pub use repository::{SaveScriptError, ScriptRepository};
pub use service::{ScriptPorts, ScriptService};

#[cfg(any(test, feature = "mocks"))]
pub use repository::MockScriptRepository;
