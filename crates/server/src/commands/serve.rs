use std::time::Duration;

use actix_web::HttpServer;
use anyhow::Context;
use slimrmm_http::build_app;
use slimrmm_persistence::Housekeeping;

use crate::config::Config;
use crate::wiring;

/// Prepares the database, creates the first admin if needed, and serves until SIGINT/SIGTERM
/// (in-flight requests get up to 30 s to finish).
pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = wiring::prepare_database(&config).await?;
    spawn_housekeeping(Housekeeping::new(db.clone()));
    let state = wiring::app_state(&config, db).await?;
    wiring::bootstrap_admin(&config, &state.users).await?;
    let server = HttpServer::new(move || build_app(state.clone()))
        .bind(config.bind)
        .with_context(|| format!("binding {}", config.bind))?;
    tracing::info!(bind = %config.bind, docs = config.debug, "SlimRMM server listening");
    server.run().await.context("running the HTTP server")
}

/// Purges expired sessions and reset tokens once an hour (and once at start).
fn spawn_housekeeping(housekeeping: Housekeeping) {
    actix_web::rt::spawn(async move {
        let mut every_hour = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match housekeeping.purge(chrono::Utc::now()).await {
                Ok(purged) => tracing::debug!(?purged, "housekeeping done"),
                Err(error) => {
                    tracing::warn!(error = ?error, "housekeeping failed; will retry in an hour")
                }
            }
        }
    });
}
