//! Patch management: policies that install updates on groups of agents, now or on a schedule
//! inside a maintenance window, and their runs (§4).

mod crud;
mod input;
mod model;
mod query;
mod repository;
mod run;
mod runs;
mod scan;
mod schedule;
mod scheduler;
mod service;
mod window;

pub use crud::PolicyError;
pub use input::{
    MAX_DESCRIPTION, MAX_LISTED_AGENTS, MAX_TIMEOUT_SECONDS, PolicyChanges, PolicyInput,
    RebootInput, ScheduleInput, TargetsInput, WindowInput,
};
pub use model::{
    Policy, PolicyDefinition, PolicyId, PolicyRun, PolicyRunId, RebootCondition, RebootPolicy,
    RunProgress, RunStatus, RunSummary, RunTrigger, UpdateCategory,
};
pub use query::{PolicyFilter, PolicyListQuery, PolicySort, RunFilter, RunListQuery, RunSort};
pub use repository::{PolicyRepository, SavePolicyError};
pub use run::{PolicyRunRequest, RunPolicyError};
pub use runs::ReadRunsError;
pub use scan::{PolicyScan, ScanPolicyError};
pub use schedule::Schedule;
pub use service::{PolicyPorts, PolicyService, PolicySettings};
pub use window::{MaintenanceWindow, day_name};

#[cfg(any(test, feature = "mocks"))]
pub use repository::MockPolicyRepository;
