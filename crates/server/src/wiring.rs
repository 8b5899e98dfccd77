//! The composition root: concrete adapters in, domain services out.

mod assemble;
mod bootstrap;
mod secrets;

pub use assemble::{Assembly, app_state, assemble};
pub use bootstrap::bootstrap_admin;
pub use secrets::{certificate_authority, master_key};

use std::sync::Arc;

use slimrmm_auth::Argon2Hasher;
use slimrmm_domain::audit::AuditService;
use slimrmm_domain::clock::SystemClock;
use slimrmm_domain::user::UserService;
use slimrmm_persistence::{
    Database, PgAuditLog, PgSessionRepository, PgUserRepository, PoolSettings,
    ensure_database_exists, run_migrations,
};

use crate::config::Config;

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
