use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::{Ready, ready};
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::enrollment::AgentCredentials;

/// The headers an agent authenticates its enrollment calls with: `X-Agent-UUID` and
/// `X-Registration-Token` (and `X-Registration-Key`, its enrollment token, on register).
#[derive(Debug, Default)]
pub struct AgentHeaders {
    /// `X-Agent-UUID`.
    pub agent_uuid: Option<String>,
    /// `X-Registration-Token`.
    pub registration_token: Option<String>,
    /// `X-Registration-Key`.
    pub registration_key: Option<String>,
}

impl AgentHeaders {
    /// The credentials for the agent named in the path.
    pub fn credentials(&self, agent: AgentId) -> AgentCredentials<'_> {
        AgentCredentials {
            agent,
            header_uuid: self.agent_uuid.as_deref(),
            registration_token: self.registration_token.as_deref(),
        }
    }
}

fn header(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(str::to_owned)
}

impl FromRequest for AgentHeaders {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self {
            agent_uuid: header(req, "X-Agent-UUID"),
            registration_token: header(req, "X-Registration-Token"),
            registration_key: header(req, "X-Registration-Key"),
        }))
    }
}
