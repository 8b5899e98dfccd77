use super::PolicyId;

crate::sort_key! {
    /// The fields a policy list can be sorted by.
    pub enum PolicySort default Name {
        /// Name, without regard to case.
        Name => "name",
        /// Creation.
        CreatedAt => "created_at",
        /// Last change.
        UpdatedAt => "updated_at",
        /// The next scheduled slot (unscheduled last).
        NextRunAt => "next_run_at",
    }
}

/// Filters of the policy list; search covers name and description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyFilter {
    /// Only enabled (or disabled) policies.
    pub enabled: Option<bool>,
}

/// A request for one page of policies.
pub type PolicyListQuery = crate::list::ListQuery<PolicySort, PolicyFilter>;

crate::sort_key! {
    /// The fields a run list can be sorted by.
    pub enum RunSort default CreatedAt {
        /// When it started.
        CreatedAt => "created_at",
    }
}

/// Filters of the run list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFilter {
    /// Only this policy's runs.
    pub policy: Option<PolicyId>,
}

/// A request for one page of runs.
pub type RunListQuery = crate::list::ListQuery<RunSort, RunFilter>;
