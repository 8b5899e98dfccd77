//! The shapes that cross the wire, separate from the domain's types.

mod agent;
mod api_key;
mod audit;
mod enrollment;
mod envelope;
mod execution;
mod integration;
mod page;
mod policy;
pub(crate) mod rules;
mod script;
mod telemetry;
mod tenancy;
mod token;
mod user;

pub use agent::{AgentOsDto, AgentResponse, AgentStatusDto};
pub use api_key::{ApiKeyResponse, CreatedApiKeyResponse};
pub use audit::AuditEntryResponse;
pub use enrollment::{CreatedEnrollmentTokenResponse, EnrollmentTokenResponse, MtlsBundle};
pub use envelope::{ApiResponse, Null, accepted, created, no_store, ok, ok_with_message};
pub use execution::ExecutionResponse;
pub use integration::{
    DeliveryResponse, IntegrationResponse, LastResultResponse, OutboxEntryResponse,
    TestResultResponse,
};
pub use page::PageResponse;
pub use policy::{
    AgentPatchResult, PolicyResponse, PolicyRunResponse, PolicyScanResponse, ProgressResponse,
    RebootResponse, ScheduleResponse, TargetsResponse, WindowResponse,
};
pub use script::{ScriptResponse, ScriptRunResponse};
pub use telemetry::{
    AgentStateResponse, AlertResponse, DiskPointResponse, InventoryResponse, MetricPointResponse,
};
pub use tenancy::{AgentCountsResponse, ClientResponse, SiteResponse};
pub use token::{ChallengeResponse, LoginAnswer, TokenResponse, token_answer};
pub use user::{RoleDto, UserResponse, scope_of};
