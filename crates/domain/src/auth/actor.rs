use std::net::IpAddr;

use super::SessionId;
use crate::apikey::ApiKeyId;
use crate::tenancy::{ClientId, Scope};
use crate::user::{User, UserId};

/// A kind of action, ordered by privilege. [`Role::allows`](crate::user::Role::allows) says
/// which role may do which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Read agents, scripts, policies, executions.
    Read,
    /// Act on agents, run scripts and policies.
    Operate,
    /// Manage users, integrations and enrollment.
    Administer,
}

/// What proved who the caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A signed-in session (an access token).
    Session(SessionId),
    /// An API key; keys cannot manage users, keys or the security policy.
    ApiKey(ApiKeyId),
}

/// The signed-in user on whose behalf a use case runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user, as loaded when the request was authenticated.
    pub user: User,
    /// The session or the API key the request came with.
    pub credential: Credential,
    /// The address the request came from, as the edge saw it (the peer, or what a trusted
    /// proxy said); what the audit log records beside the user.
    pub source: Option<IpAddr>,
    /// The security policy requires a second factor this user has not turned on: until they
    /// do, they may only enrol it (the edge refuses everything else).
    pub must_enrol: bool,
}

impl Actor {
    /// The same caller, seen at `source`.
    pub fn from(mut self, source: Option<IpAddr>) -> Self {
        self.source = source;
        self
    }

    /// The session the request belongs to, unless it came with an API key.
    pub fn session(&self) -> Option<SessionId> {
        match self.credential {
            Credential::Session(session) => Some(session),
            Credential::ApiKey(_) => None,
        }
    }

    /// True when the request came with an API key rather than from a signed-in session.
    pub fn via_key(&self) -> bool {
        matches!(self.credential, Credential::ApiKey(_))
    }

    /// The acting user's id.
    pub fn id(&self) -> UserId {
        self.user.id
    }

    /// True when the acting user is `id`.
    pub fn is(&self, id: UserId) -> bool {
        self.user.id == id
    }

    /// True when the acting user's role grants `capability`: on the objects of the clients
    /// they see ([`Actor::sees`]) for client objects (agents and everything about them).
    pub fn can(&self, capability: Capability) -> bool {
        self.user.role.allows(capability)
    }

    /// The clients the acting user may see and act on.
    pub fn scope(&self) -> &Scope {
        &self.user.scope
    }

    /// True when `client` is in the acting user's scope: anything outside it does not exist
    /// for them.
    pub fn sees(&self, client: ClientId) -> bool {
        self.user.scope.includes(client)
    }

    /// True when the role grants `capability` and the user's scope is every client: what
    /// global objects require (users, integrations, clients and sites, enrollment tokens, the
    /// security policy, patch policies, the script library's contents, the audit log), since
    /// each of them reaches every client.
    pub fn can_globally(&self, capability: Capability) -> bool {
        self.can(capability) && self.user.scope.is_all()
    }
}
