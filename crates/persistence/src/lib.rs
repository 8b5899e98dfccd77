//! PostgreSQL adapters for SlimRMM's repository ports, on diesel + diesel-async + deadpool.
//!
//! [`Database`] owns the connection pool; each repository (`PgUserRepository`, ...) holds a
//! clone of it and implements one domain port. Transactions never leave a repository method.
//! Migrations from the workspace's `migrations/` folder are embedded in the binary.

mod agents;
mod alerts;
mod api_keys;
mod audit;
mod bus;
mod certificate_authority;
mod database;
mod enrollment_tokens;
mod error;
mod executions;
mod heartbeats;
mod housekeeping;
mod idempotency;
mod integrations;
mod inventories;
mod migrations;
mod operations;
mod outbox;
mod password_resets;
mod policies;
mod presence;
mod presence_batch;
mod processes;
mod readiness;
mod schema;
mod scripts;
mod security_policy;
mod server_secrets;
mod sessions;
mod sql;
mod telemetry;
mod tenancy;
mod two_factor;
mod users;

pub use agents::PgAgentRepository;
pub use alerts::PgAlertRepository;
pub use api_keys::PgApiKeyRepository;
pub use audit::PgAuditLog;
pub use bus::{DISCONNECT_CHANNEL, EVENTS_CHANNEL, PgBus, WAKE_CHANNEL, event_json, listen};
pub use certificate_authority::CertificateAuthorityStore;
pub use database::{Database, PoolSettings, ensure_database_exists};
pub use enrollment_tokens::PgEnrollmentTokenRepository;
pub use executions::PgExecutionRepository;
pub use heartbeats::HeartbeatWriter;
pub use housekeeping::PgPurger;
pub use idempotency::PgIdempotencyStore;
pub use integrations::PgIntegrationRepository;
pub use inventories::PgInventoryRepository;
pub use migrations::{MIGRATIONS, run_migrations};
pub use operations::PgOperations;
pub use outbox::PgOutboxRepository;
pub use password_resets::PgPasswordResetRepository;
pub use policies::PgPolicyRepository;
pub use presence::PgPresenceRepository;
pub use presence_batch::{BatchedPresence, MAX_BATCH};
pub use processes::PgProcessRegistry;
pub use readiness::PgReadiness;
pub use scripts::PgScriptRepository;
pub use security_policy::PgSecurityPolicyRepository;
pub use server_secrets::ServerSecrets;
pub use sessions::PgSessionRepository;
pub use telemetry::PgTelemetry;
pub use tenancy::PgTenancyRepository;
pub use two_factor::{PgLoginChallengeRepository, PgTwoFactorRepository};
pub use users::PgUserRepository;
