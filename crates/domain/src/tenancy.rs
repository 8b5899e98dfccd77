//! Tenancy: the clients an MSP manages and their sites. Every agent belongs to one site of one
//! client, and a user's access may be limited to chosen clients ([`Scope`]).

mod clients;
mod model;
mod repository;
mod scope;
mod service;
mod sites;

pub use clients::{ClientError, ClientListQuery, ClientSort};
pub use model::{
    AgentCounts, Client, ClientId, ClientSummary, Site, SiteId, SiteSummary, TenantName,
};
pub use repository::{DeleteOutcome, SaveTenantError, TenancyRepository};
pub use scope::Scope;
pub use service::TenancyService;
pub use sites::{SiteError, SiteListQuery, SiteSort};

#[cfg(any(test, feature = "mocks"))]
pub use repository::MockTenancyRepository;
