use chrono::{DateTime, Utc};
use serde::Serialize;
use slimrmm_domain::script::{Script, ScriptRun};
use utoipa::ToSchema;
use uuid::Uuid;

use super::ExecutionResponse;

/// A script in the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptResponse {
    /// Identifier.
    pub id: Uuid,
    /// Unique name.
    #[schema(example = "Clear temp files")]
    pub name: String,
    /// For people.
    pub description: Option<String>,
    /// `bash`, `sh`, `powershell`, `python` or `cmd`.
    #[schema(example = "bash")]
    pub script_type: &'static str,
    /// The script.
    pub content: String,
    /// How long the agent lets it run (1 to 600 s).
    #[schema(example = 60)]
    pub timeout_seconds: u32,
    /// The systems it may run on: as declared, or every system its type runs on.
    #[schema(example = json!(["linux", "darwin"]))]
    pub platforms: Vec<&'static str>,
    /// Whether `platforms` was declared (else derived from the type).
    pub platforms_declared: bool,
    /// A grouping for people.
    pub category: Option<String>,
    /// Who created it.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Script> for ScriptResponse {
    fn from(script: Script) -> Self {
        let definition = script.definition;
        Self {
            id: script.id.0,
            platforms: definition
                .platforms()
                .iter()
                .map(|os| os.as_str())
                .collect(),
            platforms_declared: definition.declared_platforms.is_some(),
            name: definition.name.to_string(),
            description: definition.description,
            script_type: definition.script_type.as_str(),
            content: definition.content.as_str().to_owned(),
            timeout_seconds: definition.timeout_seconds,
            category: definition.category,
            created_by: script.created_by.map(|user| user.0),
            created_at: script.created_at,
            updated_at: script.updated_at,
        }
    }
}

/// A script queued on its agents.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptRunResponse {
    /// The script.
    pub script_id: Uuid,
    /// How many agents it was queued on.
    pub queued: usize,
    /// How many of them are offline (their run waits until they connect or it expires).
    pub offline: usize,
    /// One execution per agent; follow them at `GET /api/v1/executions/{id}` or
    /// `GET /api/v1/scripts/{id}/executions`.
    pub executions: Vec<ExecutionResponse>,
}

impl From<ScriptRun> for ScriptRunResponse {
    fn from(run: ScriptRun) -> Self {
        Self {
            script_id: run.script.0,
            queued: run.executions.len(),
            offline: run.offline,
            executions: run
                .executions
                .into_iter()
                .map(ExecutionResponse::from)
                .collect(),
        }
    }
}
