use anyhow::Context;
use diesel::RunQueryDsl as _;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use secrecy::{ExposeSecret, SecretString};

/// The schema migrations, embedded from the workspace's `migrations/` folder.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// An arbitrary key for the advisory lock that keeps replicas from migrating at once.
const MIGRATION_LOCK: i64 = 0x5_11_33_44_7e;

/// Applies pending migrations and returns how many ran. Safe to call from several server
/// processes at once: they take turns under a PostgreSQL advisory lock.
pub async fn run_migrations(url: &SecretString) -> anyhow::Result<usize> {
    let url = url.expose_secret().to_owned();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection as _;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .context("connecting to the database to migrate it")?;
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .execute(&mut conn)
            .context("taking the migration lock")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.len())
            .map_err(|error| anyhow::anyhow!("running migrations: {error}"));
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
            .execute(&mut conn)
            .context("releasing the migration lock")?;
        applied
    })
    .await
    .context("the migration task panicked")?
}
