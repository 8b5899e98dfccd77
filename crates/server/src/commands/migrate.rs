use slimrmm_persistence::{ensure_database_exists, run_migrations};

use crate::config::Config;

/// Creates the database if needed and applies pending migrations.
pub async fn run(config: Config) -> anyhow::Result<()> {
    ensure_database_exists(&config.database_url).await?;
    let applied = run_migrations(&config.database_url).await?;
    println!("applied {applied} migration(s); the database is up to date");
    Ok(())
}
