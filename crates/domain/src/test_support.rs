//! Fixtures for the domain's own unit tests (the public ones are in [`crate::fixtures`]).

pub(crate) use crate::fixtures::{
    RecordingAudit, SequentialSecrets, actor, agent_facts as facts, issued_certificate as issued,
    queued, stored_agent, t0, user as fixture_user,
};

use std::sync::Arc;

use uuid::Uuid;

use crate::auth::{
    AuthPorts, AuthService, AuthSettings, MockPasswordResetRepository, MockSecretGenerator,
    MockSessionRepository, MockTokenIssuer, Session, SessionId, SessionWithUser, TokenClaims,
    TokenKind,
};
use crate::clock::MockClock;
use crate::user::{
    MockPasswordHasher, MockUserRepository, PasswordHash, Role, UserCredentials, UserId,
    UserService,
};

const SESSION: Uuid = Uuid::from_u128(0x5e55_1011);

/// One mock per port; tests set the expectations they need, then build a service.
pub(crate) struct Ports {
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub resets: MockPasswordResetRepository,
    pub hasher: MockPasswordHasher,
    pub tokens: MockTokenIssuer,
    pub secrets: MockSecretGenerator,
    pub two_factor: crate::auth::MockTwoFactorRepository,
    pub challenges: crate::auth::MockLoginChallengeRepository,
    pub otp: crate::auth::MockOneTimePasswords,
    pub policy: crate::auth::MockSecurityPolicyRepository,
    pub audit: RecordingAudit,
}

pub(crate) fn services() -> Ports {
    Ports {
        users: MockUserRepository::new(),
        sessions: MockSessionRepository::new(),
        resets: MockPasswordResetRepository::new(),
        hasher: MockPasswordHasher::plain(),
        tokens: MockTokenIssuer::new(),
        secrets: MockSecretGenerator::new(),
        two_factor: without_second_factor(),
        challenges: crate::auth::MockLoginChallengeRepository::new(),
        otp: crate::auth::MockOneTimePasswords::new(),
        policy: crate::auth::MockSecurityPolicyRepository::new(),
        audit: RecordingAudit::default(),
    }
}

/// Nobody has a second factor (tests of it set their own expectations).
fn without_second_factor() -> crate::auth::MockTwoFactorRepository {
    let mut repository = crate::auth::MockTwoFactorRepository::new();
    repository.expect_find().returning(|_| Ok(None));
    repository
}

impl Ports {
    pub fn user_service(self) -> UserService {
        UserService::new(
            Arc::new(self.users),
            Arc::new(self.sessions),
            Arc::new(self.hasher),
            self.audit.service(),
            Arc::new(MockClock::fixed(t0())),
        )
    }

    pub fn auth_service(self) -> AuthService {
        let ports = AuthPorts {
            users: Arc::new(self.users),
            sessions: Arc::new(self.sessions),
            resets: Arc::new(self.resets),
            hasher: Arc::new(self.hasher),
            tokens: Arc::new(self.tokens),
            secrets: Arc::new(self.secrets),
            two_factor: Arc::new(self.two_factor),
            challenges: Arc::new(self.challenges),
            otp: Arc::new(self.otp),
            policy: Arc::new(self.policy),
            audit: self.audit.service(),
            clock: Arc::new(MockClock::fixed(t0())),
        };
        AuthService::new(ports, AuthSettings::default())
    }
}

pub(crate) fn credentials(id: i64, username: &str, role: Role, password: &str) -> UserCredentials {
    UserCredentials {
        user: fixture_user(id, username, role),
        password_hash: PasswordHash::new(format!("hashed:{password}")),
    }
}

pub(crate) fn claims(kind: TokenKind) -> TokenClaims {
    TokenClaims {
        token_id: Uuid::new_v4(),
        session_id: SessionId(SESSION),
        user_id: UserId(3),
        kind,
        issued_at: t0(),
        expires_at: t0() + chrono::TimeDelta::minutes(15),
    }
}

pub(crate) fn live_session(role: Role) -> SessionWithUser {
    SessionWithUser {
        session: Session {
            id: SessionId(SESSION),
            user_id: UserId(3),
            refresh_token_id: Uuid::new_v4(),
            created_at: t0(),
            expires_at: t0() + chrono::TimeDelta::days(7),
            revoked_at: None,
        },
        user: fixture_user(3, "jane", role),
        two_factor_active: false,
        two_factor_required: false,
    }
}

// ---- agents and enrollment ----

use crate::agent::{AgentService, MockAgentRepository, Tags};
use crate::auth::SecretGenerator;
use crate::enrollment::{
    EnrollmentService, EnrollmentSettings, EnrollmentToken, EnrollmentTokenId,
    MockCertificateAuthority, MockEnrollmentTokenRepository, TokenName,
};

pub(crate) struct AgentPorts {
    pub agents: MockAgentRepository,
    pub tenancy: crate::tenancy::MockTenancyRepository,
    pub connections: crate::agent::MockConnectionControl,
    pub audit: RecordingAudit,
}

pub(crate) fn agent_services() -> AgentPorts {
    AgentPorts {
        agents: MockAgentRepository::new(),
        tenancy: crate::tenancy::MockTenancyRepository::new(),
        connections: crate::agent::MockConnectionControl::new(),
        audit: RecordingAudit::default(),
    }
}

impl AgentPorts {
    pub fn service(self) -> AgentService {
        AgentService::new(
            Arc::new(self.agents),
            Arc::new(self.tenancy),
            Arc::new(self.connections),
            self.audit.service(),
            Arc::new(MockClock::fixed(t0())),
        )
    }
}

pub(crate) struct EnrollmentMocks {
    pub agents: MockAgentRepository,
    pub tokens: MockEnrollmentTokenRepository,
    pub tenancy: crate::tenancy::MockTenancyRepository,
    pub ca: MockCertificateAuthority,
    pub secrets: Arc<dyn SecretGenerator>,
    pub events: Arc<dyn crate::event::EventPublisher>,
    pub audit: RecordingAudit,
}

pub(crate) fn enrollment_services() -> EnrollmentMocks {
    EnrollmentMocks {
        agents: MockAgentRepository::new(),
        tokens: MockEnrollmentTokenRepository::new(),
        tenancy: crate::tenancy::MockTenancyRepository::new(),
        ca: MockCertificateAuthority::new(),
        secrets: Arc::new(SequentialSecrets::default()),
        events: Arc::new(crate::event::NoEvents),
        audit: RecordingAudit::default(),
    }
}

impl EnrollmentMocks {
    pub fn service(self) -> EnrollmentService {
        let ports = crate::enrollment::EnrollmentPorts {
            agents: Arc::new(self.agents),
            tokens: Arc::new(self.tokens),
            tenancy: Arc::new(self.tenancy),
            ca: Arc::new(self.ca),
            secrets: self.secrets,
            events: self.events,
            audit: self.audit.service(),
            clock: Arc::new(MockClock::fixed(t0())),
        };
        EnrollmentService::new(ports, EnrollmentSettings::default())
    }
}

pub(crate) fn enrollment_token(auto_approve: bool) -> EnrollmentToken {
    EnrollmentToken {
        id: EnrollmentTokenId(1),
        name: TokenName::parse("office").unwrap(),
        auto_approve,
        tags: Tags::parse(&["office"]).unwrap(),
        site: crate::tenancy::SiteId(1),
        max_uses: None,
        uses: 0,
        expires_at: None,
        revoked_at: None,
        created_by: Some(UserId(1)),
        created_at: t0(),
        last_used_at: None,
    }
}

// ---- executions ----

use crate::event::MockEventPublisher;
use crate::execution::{
    ExecutionService, ExecutionSettings, MockExecutionRepository, MockExecutionWaker,
};

pub(crate) struct ExecutionPorts {
    pub agents: MockAgentRepository,
    pub executions: MockExecutionRepository,
    pub waker: MockExecutionWaker,
    pub audit: RecordingAudit,
}

pub(crate) fn execution_services() -> ExecutionPorts {
    ExecutionPorts {
        agents: MockAgentRepository::new(),
        executions: MockExecutionRepository::new(),
        waker: MockExecutionWaker::new(),
        audit: RecordingAudit::default(),
    }
}

impl ExecutionPorts {
    pub fn service(self) -> ExecutionService {
        let events = MockEventPublisher::silent();
        ExecutionService::new(
            Arc::new(self.agents),
            Arc::new(self.executions),
            Arc::new(self.waker),
            Arc::new(events),
            self.audit.service(),
            Arc::new(MockClock::fixed(t0())),
            ExecutionSettings::default(),
        )
    }
}

// ---- scripts ----

use crate::script::{MockScriptRepository, ScriptPorts, ScriptService};

pub(crate) struct ScriptMocks {
    pub scripts: MockScriptRepository,
    pub agents: MockAgentRepository,
    pub executions: MockExecutionRepository,
    pub waker: MockExecutionWaker,
    pub audit: RecordingAudit,
}

pub(crate) fn script_services() -> ScriptMocks {
    ScriptMocks {
        scripts: MockScriptRepository::new(),
        agents: MockAgentRepository::new(),
        executions: MockExecutionRepository::new(),
        waker: MockExecutionWaker::new(),
        audit: RecordingAudit::default(),
    }
}

impl ScriptMocks {
    pub fn service(self) -> ScriptService {
        let events = MockEventPublisher::silent();
        ScriptService::new(
            ScriptPorts {
                scripts: Arc::new(self.scripts),
                agents: Arc::new(self.agents),
                executions: Arc::new(self.executions),
                waker: Arc::new(self.waker),
                events: Arc::new(events),
                audit: self.audit.service(),
                clock: Arc::new(MockClock::fixed(t0())),
            },
            ExecutionSettings::default(),
        )
    }
}

// ---- policies ----

use crate::policy::{MockPolicyRepository, PolicyPorts, PolicyService, PolicySettings};

pub(crate) struct PolicyMocks {
    pub policies: MockPolicyRepository,
    pub agents: MockAgentRepository,
    pub executions: MockExecutionRepository,
    pub audit: RecordingAudit,
}

pub(crate) fn policy_services() -> PolicyMocks {
    PolicyMocks {
        policies: MockPolicyRepository::new(),
        agents: MockAgentRepository::new(),
        executions: MockExecutionRepository::new(),
        audit: RecordingAudit::default(),
    }
}

impl PolicyMocks {
    pub fn service(self) -> PolicyService {
        let events = MockEventPublisher::silent();
        let waker = MockExecutionWaker::silent();
        PolicyService::new(
            PolicyPorts {
                policies: Arc::new(self.policies),
                agents: Arc::new(self.agents),
                executions: Arc::new(self.executions),
                waker: Arc::new(waker),
                events: Arc::new(events),
                audit: self.audit.service(),
                clock: Arc::new(MockClock::fixed(t0())),
            },
            PolicySettings::default(),
            ExecutionSettings::default(),
        )
    }
}

// ---- gateway ----

use crate::alert::MockAlertRepository;
use crate::gateway::{GatewayPorts, GatewayService, GatewaySettings};
use crate::inventory::MockInventoryRepository;
use crate::presence::MockPresenceRepository;
use crate::telemetry::MockHeartbeatSink;

pub(crate) struct GatewayMocks {
    pub agents: MockAgentRepository,
    pub presence: MockPresenceRepository,
    pub executions: MockExecutionRepository,
    pub heartbeats: MockHeartbeatSink,
    pub inventories: MockInventoryRepository,
    pub alerts: MockAlertRepository,
    pub events: MockEventPublisher,
    pub processes: crate::gateway::MockProcessRegistry,
}

pub(crate) fn gateway_services() -> GatewayMocks {
    GatewayMocks {
        agents: MockAgentRepository::new(),
        presence: MockPresenceRepository::new(),
        executions: MockExecutionRepository::new(),
        heartbeats: MockHeartbeatSink::new(),
        inventories: MockInventoryRepository::new(),
        alerts: MockAlertRepository::new(),
        events: MockEventPublisher::new(),
        processes: crate::gateway::MockProcessRegistry::new(),
    }
}

impl GatewayMocks {
    pub fn service(self) -> GatewayService {
        GatewayService::new(
            GatewayPorts {
                agents: Arc::new(self.agents),
                presence: Arc::new(self.presence),
                executions: Arc::new(self.executions),
                heartbeats: Arc::new(self.heartbeats),
                inventories: Arc::new(self.inventories),
                alerts: Arc::new(self.alerts),
                events: Arc::new(self.events),
                clock: Arc::new(MockClock::fixed(t0())),
                processes: Arc::new(self.processes),
            },
            GatewaySettings::default(),
            ExecutionSettings::default(),
        )
    }
}
