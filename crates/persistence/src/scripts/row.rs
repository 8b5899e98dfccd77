use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentOs;
use slimrmm_domain::script::{Script, ScriptContent, ScriptDefinition, ScriptId};
use slimrmm_domain::text::Name;
use slimrmm_domain::user::UserId;
use uuid::Uuid;

use crate::error::corrupt;
use crate::schema::scripts;

/// A script as stored.
#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = scripts, check_for_backend(Pg), treat_none_as_null = true)]
pub(super) struct ScriptRow {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub script_type: String,
    pub content: String,
    pub timeout_seconds: i32,
    pub platforms: Option<Vec<String>>,
    pub category: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ScriptRow {
    pub(super) fn new(script: &Script) -> Self {
        let definition = &script.definition;
        Self {
            id: script.id.0,
            name: definition.name.to_string(),
            description: definition.description.clone(),
            script_type: definition.script_type.as_str().to_owned(),
            content: definition.content.as_str().to_owned(),
            timeout_seconds: i32::try_from(definition.timeout_seconds).unwrap_or(i32::MAX),
            platforms: definition
                .declared_platforms
                .as_ref()
                .map(|list| list.iter().map(|os| os.as_str().to_owned()).collect()),
            category: definition.category.clone(),
            created_by: script.created_by.map(|user| user.0),
            created_at: script.created_at,
            updated_at: script.updated_at,
        }
    }

    pub(super) fn into_domain(self) -> Result<Script, PortError> {
        let platforms = self
            .platforms
            .map(|list| {
                list.iter()
                    .map(|os| os.parse::<AgentOs>())
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()
            .map_err(|e| corrupt("script platforms", e))?;
        Ok(Script {
            id: ScriptId(self.id),
            definition: ScriptDefinition {
                name: Name::parse(&self.name).map_err(|e| corrupt("script name", e))?,
                description: self.description,
                script_type: self
                    .script_type
                    .parse()
                    .map_err(|e: String| corrupt("script type", e))?,
                // Checked when saved; the agent's rules may have moved since.
                content: ScriptContent::stored(self.content),
                timeout_seconds: self.timeout_seconds.unsigned_abs(),
                declared_platforms: platforms,
                category: self.category,
            },
            created_by: self.created_by.map(UserId),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}
