use std::sync::Arc;

use slimrmm_domain::agent::AgentService;
use slimrmm_domain::auth::AuthService;
use slimrmm_domain::enrollment::EnrollmentService;
use slimrmm_domain::health::ReadinessProbe;
use slimrmm_domain::user::UserService;

/// Settings of the HTTP layer.
#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    /// Serve the interactive documentation (`/docs`, `/openapi.json`).
    pub debug: bool,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            debug: false,
            body_limit: 256 * 1024,
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
    /// Whether the backing services answer.
    pub readiness: Arc<dyn ReadinessProbe>,
    /// HTTP settings.
    pub settings: HttpSettings,
}
