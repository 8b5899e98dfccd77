use super::ScriptType;

crate::sort_key! {
    /// The fields a script list can be sorted by.
    pub enum ScriptSort default Name {
        /// Name, without regard to case.
        Name => "name",
        /// Creation.
        CreatedAt => "created_at",
        /// Last change.
        UpdatedAt => "updated_at",
    }
}

/// Filters of the script list; search covers name, description and category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScriptFilter {
    /// Only this type.
    pub script_type: Option<ScriptType>,
    /// Only this category (exact, without regard to case).
    pub category: Option<String>,
}

/// A request for one page of scripts.
pub type ScriptListQuery = crate::list::ListQuery<ScriptSort, ScriptFilter>;
