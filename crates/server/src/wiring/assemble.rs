//! Every adapter and service, built and wired.

use std::sync::Arc;

use anyhow::Context;
use chrono::TimeDelta;
use slimrmm_auth::{Argon2Hasher, JwtIssuer, RandomSecrets, TotpCodes};
use slimrmm_crypto::{AgentCa, AgentCertificateVerifier};
use slimrmm_domain::agent::AgentService;
use slimrmm_domain::alert::AlertService;
use slimrmm_domain::apikey::{ApiKeyPorts, ApiKeyService};
use slimrmm_domain::auth::{AuthPorts, AuthService, AuthSettings};
use slimrmm_domain::clock::SystemClock;
use slimrmm_domain::enrollment::{
    AgentIdentityService, EnrollmentPorts, EnrollmentService, EnrollmentSettings,
};
use slimrmm_domain::event::EventPublisher;
use slimrmm_domain::execution::{ExecutionService, ExecutionSettings};
use slimrmm_domain::gateway::{GatewayPorts, GatewayService, GatewaySettings};
use slimrmm_domain::health::DroppedRecords;
use slimrmm_domain::idempotency::IdempotencyService;
use slimrmm_domain::inventory::InventoryService;
use slimrmm_domain::notification::{
    DeliveryService, DeliverySettings, IntegrationService, Transport,
};
use slimrmm_domain::policy::{PolicyPorts, PolicyService, PolicySettings};
use slimrmm_domain::retention::{HousekeepingService, Retention};
use slimrmm_domain::script::{ScriptPorts, ScriptService};
use slimrmm_domain::telemetry::TelemetryService;
use slimrmm_domain::tenancy::TenancyService;
use slimrmm_http::extract::ClientCertificateSource;
use slimrmm_http::gateway::{Admissions, EventHub};
use slimrmm_http::metrics::Metrics;
use slimrmm_http::middleware::RateLimits;
use slimrmm_http::{AppState, HttpSettings};
use slimrmm_notify::ChannelTransport;
use slimrmm_persistence::{
    BatchedPresence, Database, HeartbeatWriter, PgAgentRepository, PgAlertRepository,
    PgApiKeyRepository, PgBus, PgEnrollmentTokenRepository, PgExecutionRepository,
    PgIdempotencyStore, PgIntegrationRepository, PgInventoryRepository, PgLoginChallengeRepository,
    PgOperations, PgOutboxRepository, PgPasswordResetRepository, PgPolicyRepository,
    PgProcessRegistry, PgPurger, PgReadiness, PgScriptRepository, PgSecurityPolicyRepository,
    PgSessionRepository, PgTelemetry, PgTenancyRepository, PgTwoFactorRepository, PgUserRepository,
};

use super::secrets::{certificate_authority, jwt_secret, master_key};
use super::{audit_service, user_service};
use crate::config::Config;

/// Every service the HTTP layer needs, on the concrete adapters (without the background tasks
/// that agent connections need: see [`assemble`]).
pub async fn app_state(config: &Config, db: Database) -> anyhow::Result<AppState> {
    Ok(assemble(config, db).await?.state)
}

/// The assembled server: its state, and what its background tasks need.
pub struct Assembly {
    /// The services.
    pub state: AppState,
    /// The pool.
    pub db: Database,
    /// Events and wake-ups between processes.
    pub bus: PgBus,
    /// The outbox worker's logic.
    pub delivery: DeliveryService,
    /// Removing what is past its retention.
    pub housekeeping: HousekeepingService,
    /// The agent CA (its certificate is the TLS layer's client-certificate root).
    pub ca: AgentCa,
}

/// Builds every adapter and service.
pub async fn assemble(config: &Config, db: Database) -> anyhow::Result<Assembly> {
    let tokens = JwtIssuer::new(&jwt_secret(config, &db).await?).context("SLIMRMM_JWT_SECRET")?;
    let master = Arc::new(master_key(config, &db).await?);
    let ca = certificate_authority(&db, &master).await?;
    let transport: Arc<dyn Transport> = Arc::new(
        ChannelTransport::new(
            &config.pushover_api_url,
            std::time::Duration::from_secs(u64::from(config.notify_timeout)),
        )
        .context("SLIMRMM_PUSHOVER_API_URL")?,
    );
    let outbox = Arc::new(PgOutboxRepository::new(db.clone(), master.clone()));
    let integration_store = Arc::new(PgIntegrationRepository::new(db.clone(), master.clone()));
    let clock: Arc<dyn slimrmm_domain::clock::Clock> = Arc::new(SystemClock);
    let audit = audit_service(&db);
    let agents = Arc::new(PgAgentRepository::new(db.clone()));
    let executions = Arc::new(PgExecutionRepository::new(db.clone()));
    let telemetry = Arc::new(PgTelemetry::new(db.clone()));
    let inventories = Arc::new(PgInventoryRepository::new(db.clone()));
    let alerts = Arc::new(PgAlertRepository::new(db.clone()));
    let tenancy = Arc::new(PgTenancyRepository::new(db.clone()));
    let dropped = DroppedRecords::default();
    let heartbeats = HeartbeatWriter::new(db.clone(), dropped.clone());
    let bus = PgBus::start(db.clone());
    let events: Arc<dyn EventPublisher> = Arc::new(bus.clone());
    let identity = AgentIdentityService::new(
        config.agent_auth(),
        Arc::new(AgentCertificateVerifier::new(&ca)?),
        agents.clone(),
        clock.clone(),
    );
    let client_certificates = client_certificate_source(config)?;
    let enrollment = EnrollmentService::new(
        EnrollmentPorts {
            agents: agents.clone(),
            tokens: Arc::new(PgEnrollmentTokenRepository::new(db.clone())),
            tenancy: tenancy.clone(),
            ca: Arc::new(ca.clone()),
            secrets: Arc::new(RandomSecrets),
            events: events.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        },
        EnrollmentSettings::default(),
    );
    let hasher = Arc::new(Argon2Hasher::new()?);
    let ports = AuthPorts {
        users: Arc::new(PgUserRepository::new(db.clone())),
        sessions: Arc::new(PgSessionRepository::new(db.clone())),
        resets: Arc::new(PgPasswordResetRepository::new(db.clone(), master.clone())),
        hasher: hasher.clone(),
        tokens: Arc::new(tokens),
        secrets: Arc::new(RandomSecrets),
        two_factor: Arc::new(PgTwoFactorRepository::new(db.clone(), master.clone())),
        challenges: Arc::new(PgLoginChallengeRepository::new(db.clone())),
        otp: Arc::new(TotpCodes),
        policy: Arc::new(PgSecurityPolicyRepository::new(db.clone())),
        audit: audit.clone(),
        clock: clock.clone(),
    };
    let auth_settings = AuthSettings {
        access_ttl: TimeDelta::seconds(i64::from(config.access_token_ttl)),
        refresh_ttl: TimeDelta::seconds(i64::from(config.refresh_token_ttl)),
        ..AuthSettings::default()
    };
    let execution_settings = ExecutionSettings {
        default_expiry: TimeDelta::seconds(i64::from(config.command_expiry)),
        max_result_bytes: config.result_max_bytes,
        ..ExecutionSettings::default()
    };
    let gateway = GatewayService::new(
        GatewayPorts {
            agents: agents.clone(),
            presence: Arc::new(BatchedPresence::start(db.clone())),
            executions: executions.clone(),
            heartbeats: Arc::new(heartbeats),
            inventories: inventories.clone(),
            alerts: alerts.clone(),
            events: events.clone(),
            clock: clock.clone(),
            processes: Arc::new(PgProcessRegistry::new(db.clone())),
        },
        GatewaySettings {
            offline_after: TimeDelta::seconds(i64::from(config.agent_offline_after)),
            overdue_after: TimeDelta::seconds(i64::from(config.agent_overdue_after)),
            ..GatewaySettings::default()
        },
        execution_settings,
    )
    .with_dropped(dropped.clone());
    let scripts = ScriptService::new(
        ScriptPorts {
            scripts: Arc::new(PgScriptRepository::new(db.clone())),
            agents: agents.clone(),
            executions: executions.clone(),
            waker: Arc::new(bus.clone()),
            events: events.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        },
        execution_settings,
    );
    let policies = PolicyService::new(
        PolicyPorts {
            policies: Arc::new(PgPolicyRepository::new(db.clone())),
            agents: agents.clone(),
            executions: executions.clone(),
            waker: Arc::new(bus.clone()),
            events: events.clone(),
            audit: audit.clone(),
            clock: clock.clone(),
        },
        PolicySettings {
            grace: TimeDelta::seconds(i64::from(config.schedule_grace)),
            ..PolicySettings::default()
        },
        execution_settings,
    );
    let delivery = DeliveryService::new(
        outbox.clone(),
        integration_store.clone(),
        transport.clone(),
        clock.clone(),
        DeliverySettings::new(config.public_url()),
    );
    let integrations = IntegrationService::new(
        integration_store,
        outbox,
        transport,
        audit.clone(),
        clock.clone(),
    );
    let state = AppState {
        auth: AuthService::new(ports, auth_settings),
        users: user_service(&db, hasher),
        agents: AgentService::new(
            agents.clone(),
            tenancy.clone(),
            Arc::new(bus.clone()),
            audit.clone(),
            clock.clone(),
        ),
        enrollment,
        identity,
        client_certificates,
        gateway,
        executions: ExecutionService::new(
            agents.clone(),
            executions,
            Arc::new(bus.clone()),
            events,
            audit.clone(),
            clock.clone(),
            execution_settings,
        ),
        telemetry: TelemetryService::new(
            agents.clone(),
            telemetry.clone(),
            telemetry,
            clock.clone(),
        ),
        inventories: InventoryService::new(agents.clone(), inventories),
        alerts: AlertService::new(alerts, agents, clock.clone()),
        tenancy: TenancyService::new(tenancy, audit.clone(), clock.clone()),
        api_keys: ApiKeyService::new(ApiKeyPorts {
            keys: Arc::new(PgApiKeyRepository::new(db.clone())),
            users: Arc::new(PgUserRepository::new(db.clone())),
            secrets: Arc::new(RandomSecrets),
            audit: audit.clone(),
            clock: clock.clone(),
        }),
        audit,
        integrations,
        scripts,
        policies,
        connections: Arc::default(),
        events: EventHub::default(),
        admissions: Admissions::new(
            config.agent_admissions(),
            std::time::Duration::from_secs(15),
        ),
        readiness: Arc::new(PgReadiness::new(db.clone())),
        rate_limits: RateLimits::new(
            config.rate_limit_per_minute,
            config.auth_rate_limit_per_minute,
            config.agent_rate_limit_per_minute,
            config.trusted_proxies.clone().into(),
        ),
        metrics: Metrics::new(Arc::new(PgOperations::new(db.clone())), dropped),
        idempotency: IdempotencyService::new(
            Arc::new(PgIdempotencyStore::new(db.clone())),
            Arc::new(SystemClock),
        ),
        settings: HttpSettings {
            debug: config.debug,
            metrics: config.metrics_bind.is_none(),
            agent_frame_limit: config.agent_max_frame_bytes,
            agent_connection_limit: config.max_agent_connections(),
            body_timeout: std::time::Duration::from_secs(u64::from(config.request_body_timeout)),
            ..HttpSettings::default()
        },
    };
    let retention = Retention {
        metrics: TimeDelta::days(i64::from(config.metrics_retention_days)),
        ..Retention::default()
    };
    let housekeeping =
        HousekeepingService::new(Arc::new(PgPurger::new(db.clone())), clock, retention);
    Ok(Assembly {
        state,
        db,
        bus,
        delivery,
        housekeeping,
        ca,
    })
}

/// Where agent certificates may come from besides the handshake. `mtls` without TLS and
/// without the proxy header could never see a certificate: that is a configuration error.
fn client_certificate_source(config: &Config) -> anyhow::Result<ClientCertificateSource> {
    use slimrmm_domain::enrollment::AgentAuthMode;
    let header = config
        .client_cert_header
        .as_deref()
        .map(|name| {
            actix_web::http::header::HeaderName::try_from(name.trim()).with_context(|| {
                format!("SLIMRMM_CLIENT_CERT_HEADER {name:?} is not a header name")
            })
        })
        .transpose()?;
    anyhow::ensure!(
        config.agent_auth() == AgentAuthMode::Uuid || config.tls() || header.is_some(),
        "SLIMRMM_AGENT_AUTH=mtls needs SLIMRMM_TLS_CERT and SLIMRMM_TLS_KEY, or \
         SLIMRMM_CLIENT_CERT_HEADER with SLIMRMM_TRUSTED_PROXIES: no client certificate could \
         reach the server otherwise"
    );
    anyhow::ensure!(
        header.is_none() || !config.trusted_proxies.is_empty() || config.tls(),
        "SLIMRMM_CLIENT_CERT_HEADER is believed only from SLIMRMM_TRUSTED_PROXIES, which is \
         empty: no agent certificate could reach the server. Set SLIMRMM_TRUSTED_PROXIES to \
         the proxy's address"
    );
    if header.is_some() && config.trusted_proxies.is_empty() {
        tracing::warn!(
            "SLIMRMM_CLIENT_CERT_HEADER is set but SLIMRMM_TRUSTED_PROXIES is empty: the header \
             is ignored from every address"
        );
    }
    Ok(ClientCertificateSource {
        header,
        trusted_proxies: config.trusted_proxies.clone().into(),
    })
}
