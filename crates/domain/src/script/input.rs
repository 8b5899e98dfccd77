use super::{ScriptContent, ScriptDefinition, ScriptType};
use crate::InvalidField;
use crate::agent::AgentOs;
use crate::text::{self, Name};

/// The longest description.
pub const MAX_DESCRIPTION: usize = 2000;
/// The longest category.
pub const MAX_CATEGORY: usize = 64;
/// The agent's default run time.
pub const DEFAULT_TIMEOUT_SECONDS: u32 = 60;
/// The agent stops every handler after 10 minutes.
pub const MAX_TIMEOUT_SECONDS: u32 = 600;

/// A script as a caller wrote it, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptInput {
    /// Name (1 to 128 characters, unique).
    pub name: String,
    /// Description (up to 2,000 characters).
    pub description: Option<String>,
    /// `bash`, `sh`, `powershell`, `python` or `cmd`.
    pub script_type: String,
    /// The text.
    pub content: String,
    /// 1 to 600 seconds; 60 when absent.
    pub timeout_seconds: Option<i64>,
    /// `linux`, `darwin`, `windows`; absent: every system the type runs on.
    pub platforms: Option<Vec<String>>,
    /// Category (up to 64 characters).
    pub category: Option<String>,
}

/// Changes to a script: `None` leaves a field alone, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new description, or none.
    pub description: Option<Option<String>>,
    /// A new type.
    pub script_type: Option<String>,
    /// A new text.
    pub content: Option<String>,
    /// A new timeout.
    pub timeout_seconds: Option<i64>,
    /// Declared platforms, or none (every system the type runs on).
    pub platforms: Option<Option<Vec<String>>>,
    /// A new category, or none.
    pub category: Option<Option<String>>,
}

impl ScriptChanges {
    /// `current` with these changes, to be checked again as a whole (a new type may not run
    /// on the declared platforms).
    pub(crate) fn apply(self, current: &ScriptDefinition) -> ScriptInput {
        ScriptInput {
            name: self.name.unwrap_or_else(|| current.name.to_string()),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
            script_type: self
                .script_type
                .unwrap_or_else(|| current.script_type.as_str().to_owned()),
            content: self
                .content
                .unwrap_or_else(|| current.content.as_str().to_owned()),
            timeout_seconds: Some(
                self.timeout_seconds
                    .unwrap_or(i64::from(current.timeout_seconds)),
            ),
            platforms: self.platforms.unwrap_or_else(|| {
                current
                    .declared_platforms
                    .as_ref()
                    .map(|list| list.iter().map(|os| os.as_str().to_owned()).collect())
            }),
            category: self.category.unwrap_or_else(|| current.category.clone()),
        }
    }
}

impl ScriptInput {
    /// Checks every field, reporting every invalid one.
    pub fn check(&self) -> Result<ScriptDefinition, Vec<InvalidField>> {
        let mut errors = Vec::new();
        let mut field = |name: &str, message: String| errors.push(InvalidField::new(name, message));
        let name = Name::parse(&self.name)
            .map_err(|e| field("name", e.to_string()))
            .ok();
        let description = match self.description.as_deref() {
            None => Some(None),
            Some(raw) => text::description(raw, MAX_DESCRIPTION)
                .map_err(|e| field("description", e.to_string()))
                .ok(),
        };
        let script_type = self
            .script_type
            .parse::<ScriptType>()
            .map_err(|e| field("script_type", e))
            .ok();
        let content = ScriptContent::parse(&self.content)
            .map_err(|e| field("content", e.to_string()))
            .ok();
        let timeout_seconds = match self.timeout_seconds {
            None => Some(DEFAULT_TIMEOUT_SECONDS),
            Some(seconds) => u32::try_from(seconds)
                .ok()
                .filter(|s| (1..=MAX_TIMEOUT_SECONDS).contains(s))
                .or_else(|| {
                    field(
                        "timeout_seconds",
                        format!("must be between 1 and {MAX_TIMEOUT_SECONDS} seconds"),
                    );
                    None
                }),
        };
        let category = match self.category.as_deref() {
            None => Some(None),
            Some(raw) if raw.chars().any(char::is_control) => {
                field("category", "must be one line".into());
                None
            }
            Some(raw) => text::description(raw, MAX_CATEGORY)
                .map_err(|e| field("category", e.to_string()))
                .ok(),
        };
        let platforms = match (&self.platforms, script_type) {
            (None, _) => Some(None),
            (Some(_), None) => None,
            (Some(list), Some(kind)) => platforms(list, kind, &mut field).map(Some),
        };
        match (
            name,
            description,
            script_type,
            content,
            timeout_seconds,
            platforms,
            category,
        ) {
            (
                Some(name),
                Some(description),
                Some(script_type),
                Some(content),
                Some(timeout_seconds),
                Some(declared_platforms),
                Some(category),
            ) if errors.is_empty() => Ok(ScriptDefinition {
                name,
                description,
                script_type,
                content,
                timeout_seconds,
                declared_platforms,
                category,
            }),
            _ => Err(errors),
        }
    }
}

fn platforms(
    list: &[String],
    kind: ScriptType,
    field: &mut impl FnMut(&str, String),
) -> Option<Vec<AgentOs>> {
    if list.is_empty() {
        field(
            "platforms",
            "must name at least one system, or be left out".into(),
        );
        return None;
    }
    let mut parsed = Vec::new();
    for (index, raw) in list.iter().enumerate() {
        match raw.parse::<AgentOs>() {
            Ok(os) if kind.supported_os().contains(&os) => parsed.push(os),
            Ok(os) => {
                field(
                    &format!("platforms[{index}]"),
                    format!("{kind} scripts do not run on {os}"),
                );
                return None;
            }
            Err(error) => {
                field(&format!("platforms[{index}]"), error.to_string());
                return None;
            }
        }
    }
    parsed.sort_by_key(|os| os.as_str());
    parsed.dedup();
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ScriptInput {
        ScriptInput {
            name: "Disk usage".into(),
            script_type: "bash".into(),
            content: "df -h".into(),
            ..ScriptInput::default()
        }
    }

    fn fields(input: ScriptInput) -> Vec<String> {
        input
            .check()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn defaults_and_derived_platforms() {
        let script = input().check().unwrap();
        assert_eq!(script.timeout_seconds, 60);
        assert_eq!(script.platforms(), vec![AgentOs::Linux, AgentOs::Darwin]);
        let cmd = ScriptInput {
            script_type: "cmd".into(),
            content: "dir".into(),
            ..input()
        };
        assert_eq!(cmd.check().unwrap().platforms(), vec![AgentOs::Windows]);
    }

    #[test]
    fn every_invalid_field_is_named() {
        let bad = ScriptInput {
            name: " ".into(),
            script_type: "zsh".into(),
            content: "echo `id`".into(),
            timeout_seconds: Some(601),
            ..input()
        };
        assert_eq!(
            fields(bad),
            vec!["name", "script_type", "content", "timeout_seconds"]
        );
        let windows_bash = ScriptInput {
            platforms: Some(vec!["linux".into(), "windows".into()]),
            ..input()
        };
        assert_eq!(fields(windows_bash), vec!["platforms[1]"]);
        let zero = ScriptInput {
            timeout_seconds: Some(0),
            ..input()
        };
        assert_eq!(fields(zero), vec!["timeout_seconds"]);
    }

    #[test]
    fn changes_are_checked_against_the_whole_script() {
        let current = ScriptInput {
            platforms: Some(vec!["linux".into()]),
            ..input()
        }
        .check()
        .unwrap();
        let to_cmd = ScriptChanges {
            script_type: Some("cmd".into()),
            ..ScriptChanges::default()
        };
        assert_eq!(fields(to_cmd.apply(&current)), vec!["platforms[0]"]);
        let rename = ScriptChanges {
            name: Some("Disk usage (all)".into()),
            platforms: Some(None),
            ..ScriptChanges::default()
        };
        let renamed = rename.apply(&current).check().unwrap();
        assert_eq!(renamed.name.as_str(), "Disk usage (all)");
        assert_eq!(renamed.declared_platforms, None);
        assert_eq!(renamed.content, current.content);
    }
}
