//! PostgreSQL adapters for SlimRMM's repository ports, on diesel + diesel-async + deadpool.
//!
//! [`Database`] owns the connection pool; each repository (`PgUserRepository`, ...) holds a
//! clone of it and implements one domain port. Transactions never leave a repository method.
//! Migrations from the workspace's `migrations/` folder are embedded in the binary.

mod agents;
mod certificate_authority;
mod database;
mod enrollment_tokens;
mod error;
mod housekeeping;
mod migrations;
mod password_resets;
mod readiness;
mod schema;
mod server_secrets;
mod sessions;
mod sql;
mod users;

pub use agents::PgAgentRepository;
pub use certificate_authority::CertificateAuthorityStore;
pub use database::{Database, PoolSettings, ensure_database_exists};
pub use enrollment_tokens::PgEnrollmentTokenRepository;
pub use housekeeping::{Housekeeping, Purged};
pub use migrations::{MIGRATIONS, run_migrations};
pub use password_resets::PgPasswordResetRepository;
pub use readiness::PgReadiness;
pub use server_secrets::ServerSecrets;
pub use sessions::PgSessionRepository;
pub use users::PgUserRepository;
