use std::sync::Arc;

use slimrmm_domain::agent::AgentService;
use slimrmm_domain::alert::AlertService;
use slimrmm_domain::apikey::ApiKeyService;
use slimrmm_domain::audit::AuditService;
use slimrmm_domain::execution::ExecutionService;
use slimrmm_domain::gateway::GatewayService;
use slimrmm_domain::idempotency::IdempotencyService;
use slimrmm_domain::inventory::InventoryService;
use slimrmm_domain::notification::IntegrationService;
use slimrmm_domain::policy::PolicyService;
use slimrmm_domain::script::ScriptService;
use slimrmm_domain::telemetry::TelemetryService;
use slimrmm_domain::tenancy::TenancyService;

use crate::extract::ClientCertificateSource;
use crate::gateway::{Admissions, Connections, EventHub};
use crate::metrics::Metrics;
use crate::middleware::RateLimits;
use slimrmm_domain::auth::AuthService;
use slimrmm_domain::enrollment::{AgentIdentityService, EnrollmentService};
use slimrmm_domain::health::ReadinessProbe;
use slimrmm_domain::user::UserService;

/// Settings of the HTTP layer.
#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    /// Serve the interactive documentation (`/docs`, `/openapi.json`).
    pub debug: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The largest WebSocket frame an agent may send, in bytes (16 MiB).
    pub agent_frame_limit: usize,
    /// The most agent connections this process holds; beyond them the upgrade answers 503
    /// `AGENT_CAPACITY`, so agents never take the connections API clients need.
    pub agent_connection_limit: usize,
    /// Agent connections silent this long are closed (120 s).
    pub agent_idle_seconds: u64,
    /// Serve `/metrics` on the API's address (off when it has an address of its own).
    pub metrics: bool,
    /// How long a client may take to send a request's body (15 s), then 408.
    pub body_timeout: std::time::Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            debug: false,
            body_limit: 256 * 1024,
            agent_frame_limit: 16 * 1024 * 1024,
            agent_connection_limit: 10_000,
            agent_idle_seconds: 120,
            metrics: true,
            body_timeout: std::time::Duration::from_secs(15),
        }
    }
}

/// What every handler can reach: the use-case services.
#[derive(Clone)]
pub struct AppState {
    /// Sign-in, tokens, password resets.
    pub auth: AuthService,
    /// User management.
    pub users: UserService,
    /// Agents, as technicians see them.
    pub agents: AgentService,
    /// Agent enrollment and enrollment tokens.
    pub enrollment: EnrollmentService,
    /// Agent identity on the WebSocket and on certificate renewal (uuid or mTLS).
    pub identity: AgentIdentityService,
    /// Where agents' client certificates may come from besides the TLS handshake.
    pub client_certificates: ClientCertificateSource,
    /// Agent connections.
    pub gateway: GatewayService,
    /// Commands.
    pub executions: ExecutionService,
    /// Reported state and metrics.
    pub telemetry: TelemetryService,
    /// Software inventories.
    pub inventories: InventoryService,
    /// Alerts.
    pub alerts: AlertService,
    /// SMTP, Pushover and the outbox.
    pub integrations: IntegrationService,
    /// The script library.
    pub scripts: ScriptService,
    /// Patch policies.
    pub policies: PolicyService,
    /// Clients and sites.
    pub tenancy: TenancyService,
    /// API keys.
    pub api_keys: ApiKeyService,
    /// The agents connected to this process.
    pub connections: Arc<Connections>,
    /// Live events for this process's subscribers.
    pub events: EventHub,
    /// How many agents may be admitted at once.
    pub admissions: Admissions,
    /// Whether the backing services answer.
    pub readiness: Arc<dyn ReadinessProbe>,
    /// HTTP settings.
    pub settings: HttpSettings,
    /// The audit log.
    pub audit: AuditService,
    /// Per-client request budgets.
    pub rate_limits: RateLimits,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// `Idempotency-Key`s and their answers.
    pub idempotency: IdempotencyService,
}
