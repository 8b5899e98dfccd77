use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use slimrmm_domain::agent::{Agent, AgentOs, AgentStatus};
use utoipa::ToSchema;
use uuid::Uuid;

/// An agent's status: `pending` (waits for approval), `rejected`, `online` (approved and
/// connected) or `offline` (approved, not connected).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgentStatusDto {
    /// Waits for approval.
    Pending,
    /// Refused.
    Rejected,
    /// Approved and connected.
    Online,
    /// Approved, not connected.
    Offline,
}

impl From<AgentStatusDto> for AgentStatus {
    fn from(status: AgentStatusDto) -> Self {
        match status {
            AgentStatusDto::Pending => AgentStatus::Pending,
            AgentStatusDto::Rejected => AgentStatus::Rejected,
            AgentStatusDto::Online => AgentStatus::Online,
            AgentStatusDto::Offline => AgentStatus::Offline,
        }
    }
}

impl From<AgentStatus> for AgentStatusDto {
    fn from(status: AgentStatus) -> Self {
        match status {
            AgentStatus::Pending => AgentStatusDto::Pending,
            AgentStatus::Rejected => AgentStatusDto::Rejected,
            AgentStatus::Online => AgentStatusDto::Online,
            AgentStatus::Offline => AgentStatusDto::Offline,
        }
    }
}

/// An operating system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgentOsDto {
    /// Linux.
    Linux,
    /// macOS.
    Darwin,
    /// Windows.
    Windows,
}

impl From<AgentOsDto> for AgentOs {
    fn from(os: AgentOsDto) -> Self {
        match os {
            AgentOsDto::Linux => AgentOs::Linux,
            AgentOsDto::Darwin => AgentOs::Darwin,
            AgentOsDto::Windows => AgentOs::Windows,
        }
    }
}

impl From<AgentOs> for AgentOsDto {
    fn from(os: AgentOs) -> Self {
        match os {
            AgentOs::Linux => AgentOsDto::Linux,
            AgentOs::Darwin => AgentOsDto::Darwin,
            AgentOs::Windows => AgentOsDto::Windows,
        }
    }
}

/// A managed machine and what it last reported. Reported values are the agent's own words.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentResponse {
    /// Identity.
    pub uuid: Uuid,
    /// Host name, as reported.
    #[schema(example = "web-01")]
    pub hostname: String,
    /// Name given by technicians.
    pub display_name: Option<String>,
    /// Operating system.
    pub os: AgentOsDto,
    /// CPU architecture, as reported.
    #[schema(example = "x86_64")]
    pub arch: String,
    /// Agent version, as reported.
    #[schema(example = "2.3.14")]
    pub agent_version: String,
    /// Public IP, as reported.
    pub external_ip: Option<String>,
    /// Hardware serial, as reported.
    pub serial_number: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The site it is in.
    #[schema(example = 7)]
    pub site_id: i64,
    /// The client of its site.
    #[schema(example = 3)]
    pub client_id: i64,
    /// Status.
    pub status: AgentStatusDto,
    /// `pending`, `approved` or `rejected`.
    #[schema(example = "approved")]
    pub enrollment_status: &'static str,
    /// When it was approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// Last contact (at most a minute stale; the state's `last_heartbeat_at` is exact).
    pub last_seen_at: Option<DateTime<Utc>>,
    /// The agent reports maintenance mode (destructive actions blocked).
    pub maintenance: bool,
    /// Offline for long (30 minutes by default).
    pub overdue: bool,
    /// Registration time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl From<Agent> for AgentResponse {
    fn from(agent: Agent) -> Self {
        Self {
            uuid: agent.id.0,
            hostname: agent.facts.hostname.to_string(),
            display_name: agent.display_name.map(|name| name.as_str().to_owned()),
            os: agent.facts.os.into(),
            arch: agent.facts.arch.to_string(),
            agent_version: agent.facts.agent_version.to_string(),
            external_ip: agent.external_ip,
            serial_number: agent.serial_number,
            tags: agent.tags.to_strings(),
            site_id: agent.site.0,
            client_id: agent.client.0,
            status: agent.status.into(),
            enrollment_status: agent.status.enrollment(),
            approved_at: agent.approved_at,
            last_seen_at: agent.last_seen_at,
            maintenance: agent.maintenance,
            overdue: agent.overdue_since.is_some(),
            created_at: agent.created_at,
            updated_at: agent.updated_at,
        }
    }
}
