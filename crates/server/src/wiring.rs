//! The composition root: concrete adapters in, domain services out.

use std::sync::Arc;

use anyhow::Context;
use chrono::TimeDelta;
use secrecy::SecretString;
use slimrmm_auth::{Argon2Hasher, JwtIssuer, RandomSecrets, random_url_safe};
use slimrmm_crypto::{AgentCa, AgentCertificateVerifier, CaMaterial, KeySource, MasterKey};
use slimrmm_domain::agent::AgentService;
use slimrmm_domain::alert::AlertService;
use slimrmm_domain::audit::AuditService;
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
use slimrmm_domain::user::{BootstrapAdmin, Email, Password, UserService, Username};
use slimrmm_http::extract::ClientCertificateSource;
use slimrmm_http::gateway::EventHub;
use slimrmm_http::metrics::Metrics;
use slimrmm_http::middleware::RateLimits;
use slimrmm_http::{AppState, HttpSettings};
use slimrmm_notify::ChannelTransport;
use slimrmm_persistence::{
    CertificateAuthorityStore, Database, HeartbeatWriter, PgAgentRepository, PgAlertRepository,
    PgAuditLog, PgBus, PgEnrollmentTokenRepository, PgExecutionRepository, PgIdempotencyStore,
    PgIntegrationRepository, PgInventoryRepository, PgOperations, PgOutboxRepository,
    PgPasswordResetRepository, PgPolicyRepository, PgPresenceRepository, PgProcessRegistry,
    PgPurger, PgReadiness, PgScriptRepository, PgSessionRepository, PgTelemetry, PgUserRepository,
    PoolSettings, ServerSecrets, ensure_database_exists, run_migrations,
};

use crate::config::Config;

/// Name under which the generated JWT signing key is kept in the database.
const JWT_SECRET_NAME: &str = "jwt_signing_key";

/// Creates the database if needed, applies migrations, and opens the pool.
pub async fn prepare_database(config: &Config) -> anyhow::Result<Database> {
    ensure_database_exists(&config.database_url).await?;
    let applied = run_migrations(&config.database_url).await?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    let settings = PoolSettings {
        max_size: usize::from(config.database_pool_size),
        ..PoolSettings::default()
    };
    Database::connect(&config.database_url, settings)
}

/// The audit log on PostgreSQL.
pub fn audit_service(db: &Database) -> AuditService {
    AuditService::new(Arc::new(PgAuditLog::new(db.clone())), Arc::new(SystemClock))
}

/// The user service on PostgreSQL with argon2id.
pub fn user_service(db: &Database, hasher: Arc<Argon2Hasher>) -> UserService {
    UserService::new(
        Arc::new(PgUserRepository::new(db.clone())),
        Arc::new(PgSessionRepository::new(db.clone())),
        hasher,
        audit_service(db),
        Arc::new(SystemClock),
    )
}

async fn jwt_secret(config: &Config, db: &Database) -> anyhow::Result<SecretString> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let candidate = SecretString::from(random_url_safe(48));
    ServerSecrets::new(db.clone())
        .get_or_create(JWT_SECRET_NAME, &candidate)
        .await
        .context("reading the JWT signing key from the database")
}

/// The master key from `SLIMRMM_SECRET_KEY`, or the key file under `SLIMRMM_DATA_DIR`. A new
/// key file is generated only for a database that holds no agent CA yet: a key could not open
/// an existing CA, so generating one would only leave a stray file behind.
pub async fn master_key(config: &Config, db: &Database) -> anyhow::Result<MasterKey> {
    let data_dir = config.data_dir();
    if config.secret_key.is_none() && !data_dir.join("secret.key").exists() {
        let stored = CertificateAuthorityStore::new(db.clone())
            .get()
            .await
            .context("reading the agent CA")?;
        anyhow::ensure!(
            stored.is_none(),
            "this database's agent CA is sealed with a master key that is not here: \
             SLIMRMM_SECRET_KEY is unset and {} holds no secret.key. Set SLIMRMM_SECRET_KEY, or \
             SLIMRMM_DATA_DIR to the directory of the key the CA was created with (no new key \
             was generated)",
            data_dir.display()
        );
    }
    let (key, source) =
        MasterKey::load(config.secret_key.as_ref(), &data_dir).context("SLIMRMM_SECRET_KEY")?;
    match source {
        KeySource::Configured => tracing::info!("master key from SLIMRMM_SECRET_KEY"),
        KeySource::File(path) => tracing::info!(path = %path.display(), "master key from file"),
        KeySource::Generated(path) => tracing::warn!(
            path = %path.display(),
            "generated a new master key file; back it up (without it the agent CA is lost), \
             and give every replica the same key (SLIMRMM_SECRET_KEY)"
        ),
    }
    Ok(key)
}

/// The agent CA: created and stored (key sealed) on first start, loaded afterwards. Fails
/// when the stored CA does not open with this master key.
pub async fn certificate_authority(db: &Database, master: &MasterKey) -> anyhow::Result<AgentCa> {
    let store = CertificateAuthorityStore::new(db.clone());
    let (certificate_pem, sealed_key) = match store.get().await.context("reading the agent CA")? {
        Some(stored) => stored,
        None => {
            let fresh = CaMaterial::generate(master, chrono::Utc::now())?;
            let stored = store
                .get_or_create((&fresh.certificate_pem, &fresh.sealed_key))
                .await
                .context("storing the agent CA")?;
            if stored.0 == fresh.certificate_pem {
                tracing::info!("created the agent certificate authority");
            }
            stored
        }
    };
    AgentCa::load(
        &CaMaterial {
            certificate_pem,
            sealed_key,
        },
        master,
    )
    .context(
        "the stored agent CA does not open with this master key: set the SLIMRMM_SECRET_KEY \
         (or key file) it was created with",
    )
}

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
            presence: Arc::new(PgPresenceRepository::new(db.clone())),
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
        inventories: InventoryService::new(agents, inventories),
        alerts: AlertService::new(alerts, clock.clone()),
        audit,
        integrations,
        scripts,
        policies,
        connections: Arc::default(),
        events: EventHub::default(),
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

/// Creates the configured admin when no user exists yet (audited as done by the server). A
/// generated password is printed once, on standard output, and never logged.
pub async fn bootstrap_admin(config: &Config, users: &UserService) -> anyhow::Result<()> {
    use secrecy::ExposeSecret;
    let username = Username::parse(&config.admin_username)
        .map_err(|error| anyhow::anyhow!("SLIMRMM_ADMIN_USERNAME {error}"))?;
    let email = config
        .admin_email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(|error| anyhow::anyhow!("SLIMRMM_ADMIN_EMAIL {error}"))?;
    let (password, generated) = match &config.admin_password {
        Some(password) => (
            Password::parse(password.expose_secret())
                .map_err(|error| anyhow::anyhow!("SLIMRMM_ADMIN_PASSWORD {error}"))?,
            false,
        ),
        None => (
            Password::parse(random_url_safe(18)).context("generating a password")?,
            true,
        ),
    };
    let shown = password.clone();
    let admin = BootstrapAdmin {
        username,
        email,
        password,
        password_generated: generated,
    };
    let Some(created) = users
        .bootstrap_admin(admin)
        .await
        .context("creating the first admin")?
    else {
        return Ok(());
    };
    tracing::info!(user_id = %created.id, username = %created.username, "created the first admin");
    if generated {
        println!(
            "\n  SlimRMM first start: created admin '{}' with password\n\n      {}\n\n  \
             Sign in and change it. It will not be shown again.\n",
            created.username,
            shown.expose()
        );
    }
    Ok(())
}
