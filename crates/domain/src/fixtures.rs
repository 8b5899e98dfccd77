//! Canned values and mocks for testing code that uses the domain (the `mocks` feature).
//!
//! The values are complete and valid (a Linux agent `web-01`, a user with a role, a queued
//! execution), so a test states only what matters to it. The mock constructors answer the
//! calls most tests do not care about: events nobody listens to, wake-ups, storage that keeps
//! what it is given.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::agent::{
    Agent, AgentFacts, AgentId, AgentOs, AgentSecrets, AgentStatus, AgentVersion, Arch, Hostname,
    MockAgentRepository, StoredAgent, Tags,
};
use crate::auth::{Actor, OpaqueToken, SecretGenerator, SessionId, TokenDigest};
use crate::enrollment::{CertificateSerial, IssuedCertificate};
use crate::event::MockEventPublisher;
use crate::execution::{
    Execution, ExecutionStatus, MockExecutionRepository, MockExecutionWaker, NewExecution,
};
use crate::tenancy::{ClientId, Scope, Site, SiteId, TenantName};
use crate::user::{Role, User, UserId, Username};

/// A fixed instant (2026-01-01 12:00 UTC) for clocks and timestamps.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// An active user created at [`t0`]. `username` must be a valid [`Username`] (3 to 64 of
/// `[A-Za-z0-9_.-]`); an invalid one becomes `user`.
pub fn user(id: i64, username: &str, role: Role) -> User {
    User {
        id: UserId(id),
        username: Username::parse(username)
            .or_else(|_| Username::parse("user"))
            .expect("`user` is a valid username"),
        email: None,
        full_name: None,
        role,
        scope: Scope::All,
        service_account: false,
        is_active: true,
        created_at: t0(),
        updated_at: t0(),
        last_login_at: None,
    }
}

/// An authenticated caller with `role`, in a session of its own.
pub fn actor(id: i64, role: Role) -> Actor {
    Actor {
        user: user(id, "actor", role),
        credential: crate::auth::Credential::Session(SessionId(Uuid::new_v4())),
        source: None,
        must_enrol: false,
    }
}

/// An authenticated caller with `role` on the given clients only.
pub fn scoped_actor(id: i64, role: Role, clients: &[i64]) -> Actor {
    let mut caller = actor(id, role);
    caller.user.scope = Scope::clients(clients.iter().copied().map(ClientId));
    caller
}

/// Site `id` of client `client`, both named after their ids, made at [`t0`].
pub fn site(id: i64, client: i64) -> Site {
    Site {
        id: SiteId(id),
        client: ClientId(client),
        name: TenantName::parse(&format!("site {id}")).expect("a valid name"),
        created_at: t0(),
        updated_at: t0(),
    }
}

/// What a Linux x86_64 agent `web-01`, version 2.3.14, reports about itself.
pub fn agent_facts() -> AgentFacts {
    AgentFacts {
        hostname: Hostname::parse("web-01").expect("a valid host name"),
        os: AgentOs::Linux,
        arch: Arch::parse("x86_64").expect("a valid architecture"),
        agent_version: AgentVersion::parse("2.3.14").expect("a valid version"),
    }
}

/// An agent as stored, with [`agent_facts`], no tags, in `status`.
pub fn stored_agent(id: AgentId, status: AgentStatus) -> StoredAgent {
    StoredAgent {
        agent: Agent {
            id,
            facts: agent_facts(),
            display_name: None,
            external_ip: None,
            serial_number: None,
            tags: Tags::default(),
            site: SiteId(1),
            client: ClientId(1),
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

/// A certificate "issued" to `agent` (placeholder PEM; the shape a `CertificateAuthority`
/// returns).
pub fn issued_certificate(
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

/// The execution a repository stores for `new`: queued, never sent.
pub fn queued(new: &NewExecution) -> Execution {
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

/// Distinct, predictable secrets (`sequential-secret-0000000000000000`, ...).
#[derive(Debug, Default)]
pub struct SequentialSecrets(AtomicU64);

impl SecretGenerator for SequentialSecrets {
    fn opaque_token(&self) -> OpaqueToken {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        OpaqueToken::from_generated(format!("sequential-secret-{n:016}"))
    }
}

impl MockAgentRepository {
    /// Finds the given agents by id (and no others). Other calls still need expectations.
    pub fn with_agents(agents: Vec<StoredAgent>) -> Self {
        let agents = Arc::new(agents);
        let mut repository = Self::new();
        repository
            .expect_find()
            .returning(move |id| Ok(agents.iter().find(|stored| stored.agent.id == id).cloned()));
        repository
    }
}

impl MockExecutionRepository {
    /// Stores every execution it is given as [`queued`]. Other calls still need expectations.
    pub fn accepting() -> Self {
        let mut repository = Self::new();
        repository.expect_create().returning(|new| Ok(queued(new)));
        repository
            .expect_create_many()
            .returning(|news| Ok(news.iter().map(queued).collect()));
        repository
    }
}

impl MockEventPublisher {
    /// Accepts every event.
    pub fn silent() -> Self {
        let mut events = Self::new();
        events.expect_publish().return_const(());
        events
    }
}

impl MockExecutionWaker {
    /// Accepts every wake-up.
    pub fn silent() -> Self {
        let mut waker = Self::new();
        waker.expect_wake().return_const(());
        waker
    }
}

/// An audit log that keeps what it is given, for tests that check what a use case recorded
/// (clones share the entries).
#[derive(Debug, Clone, Default)]
pub struct RecordingAudit(Arc<std::sync::Mutex<Vec<crate::audit::AuditRecord>>>);

impl RecordingAudit {
    /// An audit service writing here, stamping entries with [`t0`].
    pub fn service(&self) -> crate::audit::AuditService {
        crate::audit::AuditService::new(
            Arc::new(self.clone()),
            Arc::new(crate::clock::MockClock::fixed(t0())),
        )
    }

    /// Everything recorded so far, in order.
    pub fn records(&self) -> Vec<crate::audit::AuditRecord> {
        self.0
            .lock()
            .map(|records| records.clone())
            .unwrap_or_default()
    }

    /// The actions recorded so far, in order.
    pub fn actions(&self) -> Vec<&'static str> {
        self.records().iter().map(|record| record.action).collect()
    }
}

#[async_trait::async_trait]
impl crate::audit::AuditLog for RecordingAudit {
    async fn append(
        &self,
        record: &crate::audit::AuditRecord,
        _at: DateTime<Utc>,
    ) -> Result<(), crate::PortError> {
        if let Ok(mut records) = self.0.lock() {
            records.push(record.clone());
        }
        Ok(())
    }

    async fn list(
        &self,
        query: &crate::audit::AuditListQuery,
    ) -> Result<crate::list::Page<crate::audit::AuditEntry>, crate::PortError> {
        Ok(crate::list::Page {
            items: Vec::new(),
            total: 0,
            request: query.page,
        })
    }
}
