//! Managed machines: what they report, how technicians find and label them.

mod delete;
mod facts;
mod get;
mod labels;
mod list;
mod model;
mod relocate;
mod repository;
mod review;
mod selector;
mod service;
mod update;
mod visibility;

pub use delete::DeleteAgentError;
pub use facts::{AgentFacts, AgentOs, AgentVersion, Arch, FactError, Hostname};
pub use get::GetAgentError;
pub use labels::{DisplayName, LabelError, MAX_TAGS, Tag, Tags};
pub use list::{AgentFilter, AgentListQuery, AgentSort, ListAgentsError};
pub use model::{Agent, AgentId, AgentSecrets, AgentStatus, NewAgent};
pub use relocate::MoveAgentError;
pub use repository::{AgentLabelChanges, AgentRepository, EnrollAgentError, StoredAgent};
pub use review::ReviewAgentError;
pub use selector::{AgentSelector, Target};
pub use service::{AgentService, ConnectionControl};
pub use update::{UpdateAgentError, UpdateAgentRequest};
pub use visibility::{sees_agent, visible};

#[cfg(any(test, feature = "mocks"))]
pub use repository::MockAgentRepository;
#[cfg(any(test, feature = "mocks"))]
pub use service::MockConnectionControl;
