//! Fixtures for the domain's own unit tests.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::auth::{
    Actor, AuthPorts, AuthService, AuthSettings, MockPasswordResetRepository, MockSecretGenerator,
    MockSessionRepository, MockTokenIssuer, Session, SessionId, SessionWithUser, TokenClaims,
    TokenKind,
};
use crate::clock::MockClock;
use crate::user::{
    MockPasswordHasher, MockUserRepository, PasswordHash, Role, User, UserCredentials, UserId,
    UserService, Username,
};

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

const SESSION: Uuid = Uuid::from_u128(0x5e55_1011);

/// One mock per port; tests set the expectations they need, then build a service.
pub(crate) struct Ports {
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub resets: MockPasswordResetRepository,
    pub hasher: MockPasswordHasher,
    pub tokens: MockTokenIssuer,
    pub secrets: MockSecretGenerator,
}

pub(crate) fn services() -> Ports {
    Ports {
        users: MockUserRepository::new(),
        sessions: MockSessionRepository::new(),
        resets: MockPasswordResetRepository::new(),
        hasher: MockPasswordHasher::plain(),
        tokens: MockTokenIssuer::new(),
        secrets: MockSecretGenerator::new(),
    }
}

impl Ports {
    pub fn user_service(self) -> UserService {
        UserService::new(
            Arc::new(self.users),
            Arc::new(self.sessions),
            Arc::new(self.hasher),
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
            clock: Arc::new(MockClock::fixed(t0())),
        };
        AuthService::new(ports, AuthSettings::default())
    }
}

pub(crate) fn fixture_user(id: i64, username: &str, role: Role) -> User {
    User {
        id: UserId(id),
        username: Username::parse(username).unwrap(),
        email: None,
        full_name: None,
        role,
        is_active: true,
        created_at: t0(),
        updated_at: t0(),
        last_login_at: None,
    }
}

pub(crate) fn credentials(id: i64, username: &str, role: Role, password: &str) -> UserCredentials {
    UserCredentials {
        user: fixture_user(id, username, role),
        password_hash: PasswordHash::new(format!("hashed:{password}")),
    }
}

pub(crate) fn actor(id: i64, role: Role) -> Actor {
    Actor {
        user: fixture_user(id, "actor", role),
        session_id: SessionId(Uuid::new_v4()),
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
    }
}

// ---- agents and enrollment ----

use std::sync::atomic::{AtomicU64, Ordering};

use crate::agent::{
    Agent, AgentFacts, AgentId, AgentOs, AgentSecrets, AgentService, AgentStatus, AgentVersion,
    Arch, Hostname, MockAgentRepository, StoredAgent, Tags,
};
use crate::auth::{OpaqueToken, SecretGenerator, TokenDigest};
use crate::enrollment::{
    CertificateSerial, EnrollmentService, EnrollmentSettings, EnrollmentToken, EnrollmentTokenId,
    IssuedCertificate, MockCertificateAuthority, MockEnrollmentTokenRepository, TokenName,
};

/// Distinct, predictable secrets.
#[derive(Default)]
pub(crate) struct SequentialSecrets(AtomicU64);

impl SecretGenerator for SequentialSecrets {
    fn opaque_token(&self) -> OpaqueToken {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        OpaqueToken::from_generated(format!("sequential-secret-{n:016}"))
    }
}

pub(crate) struct AgentPorts {
    pub agents: MockAgentRepository,
    pub connections: crate::agent::MockConnectionControl,
}

pub(crate) fn agent_services() -> AgentPorts {
    AgentPorts {
        agents: MockAgentRepository::new(),
        connections: crate::agent::MockConnectionControl::new(),
    }
}

impl AgentPorts {
    pub fn service(self) -> AgentService {
        AgentService::new(
            Arc::new(self.agents),
            Arc::new(self.connections),
            Arc::new(MockClock::fixed(t0())),
        )
    }
}

pub(crate) struct EnrollmentPorts {
    pub agents: MockAgentRepository,
    pub tokens: MockEnrollmentTokenRepository,
    pub ca: MockCertificateAuthority,
    pub secrets: Arc<dyn SecretGenerator>,
    pub events: Arc<dyn crate::event::EventPublisher>,
}

pub(crate) fn enrollment_services() -> EnrollmentPorts {
    EnrollmentPorts {
        agents: MockAgentRepository::new(),
        tokens: MockEnrollmentTokenRepository::new(),
        ca: MockCertificateAuthority::new(),
        secrets: Arc::new(SequentialSecrets::default()),
        events: Arc::new(crate::event::NoEvents),
    }
}

impl EnrollmentPorts {
    pub fn service(self) -> EnrollmentService {
        EnrollmentService::new(
            Arc::new(self.agents),
            Arc::new(self.tokens),
            Arc::new(self.ca),
            self.secrets,
            self.events,
            Arc::new(MockClock::fixed(t0())),
            EnrollmentSettings::default(),
        )
    }
}

pub(crate) fn facts() -> AgentFacts {
    AgentFacts {
        hostname: Hostname::parse("web-01").unwrap(),
        os: AgentOs::Linux,
        arch: Arch::parse("x86_64").unwrap(),
        agent_version: AgentVersion::parse("2.3.14").unwrap(),
    }
}

pub(crate) fn stored_agent(id: AgentId, status: AgentStatus) -> StoredAgent {
    StoredAgent {
        agent: Agent {
            id,
            facts: facts(),
            display_name: None,
            external_ip: None,
            serial_number: None,
            tags: Tags::default(),
            status,
            approved_at: None,
            last_seen_at: None,
            maintenance: false,
            overdue_since: None,
            created_at: t0(),
            updated_at: t0(),
        },
        secrets: AgentSecrets {
            registration_token: TokenDigest([1; 32]),
            reregistration_secret: TokenDigest([2; 32]),
        },
    }
}

pub(crate) fn enrollment_token(auto_approve: bool) -> EnrollmentToken {
    EnrollmentToken {
        id: EnrollmentTokenId(1),
        name: TokenName::parse("office").unwrap(),
        auto_approve,
        tags: Tags::parse(&["office"]).unwrap(),
        max_uses: None,
        uses: 0,
        expires_at: None,
        revoked_at: None,
        created_by: Some(UserId(1)),
        created_at: t0(),
        last_used_at: None,
    }
}

pub(crate) fn issued(
    _agent: AgentId,
    not_before: DateTime<Utc>,
    not_after: DateTime<Utc>,
) -> IssuedCertificate {
    IssuedCertificate {
        serial: CertificateSerial("0a0b".into()),
        not_before,
        not_after,
        certificate_pem: "-----BEGIN CERTIFICATE-----".into(),
        private_key_pem: "-----BEGIN PRIVATE KEY-----".to_owned().into(),
        ca_certificate_pem: "-----BEGIN CERTIFICATE-----".into(),
    }
}

// ---- executions ----

use crate::event::MockEventPublisher;
use crate::execution::{
    Execution, ExecutionService, ExecutionSettings, ExecutionStatus, MockExecutionRepository,
    MockExecutionWaker, NewExecution,
};

pub(crate) struct ExecutionPorts {
    pub agents: MockAgentRepository,
    pub executions: MockExecutionRepository,
    pub waker: MockExecutionWaker,
}

pub(crate) fn execution_services() -> ExecutionPorts {
    ExecutionPorts {
        agents: MockAgentRepository::new(),
        executions: MockExecutionRepository::new(),
        waker: MockExecutionWaker::new(),
    }
}

impl ExecutionPorts {
    pub fn service(self) -> ExecutionService {
        let mut events = MockEventPublisher::new();
        events.expect_publish().return_const(());
        ExecutionService::new(
            Arc::new(self.agents),
            Arc::new(self.executions),
            Arc::new(self.waker),
            Arc::new(events),
            Arc::new(MockClock::fixed(t0())),
            ExecutionSettings::default(),
        )
    }
}

pub(crate) fn queued(new: &NewExecution) -> Execution {
    Execution {
        id: new.id,
        agent: new.agent,
        action: new.action.clone(),
        params: new.params.clone(),
        mutating: new.mutating,
        status: ExecutionStatus::Queued,
        created_by: new.created_by,
        created_at: new.created_at,
        expires_at: new.expires_at,
        sent_at: None,
        deadline_at: None,
        completed_at: None,
        attempts: 0,
        result: None,
        error: None,
        truncated: false,
        script: new.script,
        policy_run: new.policy_run,
    }
}

// ---- scripts ----

use crate::script::{MockScriptRepository, ScriptPorts, ScriptService};

pub(crate) struct ScriptMocks {
    pub scripts: MockScriptRepository,
    pub agents: MockAgentRepository,
    pub executions: MockExecutionRepository,
    pub waker: MockExecutionWaker,
}

pub(crate) fn script_services() -> ScriptMocks {
    ScriptMocks {
        scripts: MockScriptRepository::new(),
        agents: MockAgentRepository::new(),
        executions: MockExecutionRepository::new(),
        waker: MockExecutionWaker::new(),
    }
}

impl ScriptMocks {
    pub fn service(self) -> ScriptService {
        let mut events = MockEventPublisher::new();
        events.expect_publish().return_const(());
        ScriptService::new(
            ScriptPorts {
                scripts: Arc::new(self.scripts),
                agents: Arc::new(self.agents),
                executions: Arc::new(self.executions),
                waker: Arc::new(self.waker),
                events: Arc::new(events),
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
}

pub(crate) fn policy_services() -> PolicyMocks {
    PolicyMocks {
        policies: MockPolicyRepository::new(),
        agents: MockAgentRepository::new(),
        executions: MockExecutionRepository::new(),
    }
}

impl PolicyMocks {
    pub fn service(self) -> PolicyService {
        let mut events = MockEventPublisher::new();
        events.expect_publish().return_const(());
        let mut waker = MockExecutionWaker::new();
        waker.expect_wake().return_const(());
        PolicyService::new(
            PolicyPorts {
                policies: Arc::new(self.policies),
                agents: Arc::new(self.agents),
                executions: Arc::new(self.executions),
                waker: Arc::new(waker),
                events: Arc::new(events),
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
            },
            GatewaySettings::default(),
            ExecutionSettings::default(),
        )
    }
}
