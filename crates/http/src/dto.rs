//! The shapes that cross the wire, separate from the domain's types.

mod agent;
mod enrollment;
mod envelope;
mod page;
pub(crate) mod rules;
mod token;
mod user;

pub use agent::{AgentOsDto, AgentResponse, AgentStatusDto};
pub use enrollment::{CreatedEnrollmentTokenResponse, EnrollmentTokenResponse, MtlsBundle};
pub use envelope::{ApiResponse, Null, created, no_store, ok, ok_with_message};
pub use page::PageResponse;
pub use token::TokenResponse;
pub use user::{RoleDto, UserResponse};
