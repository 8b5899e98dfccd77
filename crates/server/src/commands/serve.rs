use actix_web::HttpServer;
use anyhow::Context;
use slimrmm_http::build_app;

use crate::config::Config;
use crate::wiring;

/// Prepares the database, creates the first admin if needed, and serves until SIGINT/SIGTERM
/// (in-flight requests get up to 30 s to finish).
pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = wiring::prepare_database(&config).await?;
    let state = wiring::app_state(&config, db).await?;
    wiring::bootstrap_admin(&config, &state.users).await?;
    let server = HttpServer::new(move || build_app(state.clone()))
        .bind(config.bind)
        .with_context(|| format!("binding {}", config.bind))?;
    tracing::info!(bind = %config.bind, docs = config.debug, "SlimRMM server listening");
    server.run().await.context("running the HTTP server")
}
