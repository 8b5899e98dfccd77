use std::time::Duration;

use actix_web::HttpServer;
use anyhow::Context;
use slimrmm_http::build_app;

use crate::config::Config;
use crate::wiring;

/// How long agents get to see the 1012 close before the server stops.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// Prepares the database, creates the first admin if needed, and serves until SIGINT/SIGTERM.
/// On shutdown, agent connections are closed with 1012 (the agents reconnect at once, to this
/// or another process) and in-flight requests get up to 30 s to finish.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = wiring::prepare_database(&config).await?;
    let assembly = wiring::assemble(&config, db).await?;
    let _background = assembly.start_background(&config);
    wiring::bootstrap_admin(&config, &assembly.state.users).await?;
    tracing::warn!(
        "agent identity is not verified: an agent is recognised by its uuid alone until TLS client \
         certificates are enforced"
    );
    let state = assembly.state.clone();
    let connections = state.connections.clone();
    let server = HttpServer::new(move || build_app(state.clone()))
        .disable_signals()
        .bind(config.bind)
        .with_context(|| format!("binding {}", config.bind))?
        .run();
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        shutdown_signal().await;
        tracing::info!(
            agents = connections.len(),
            "shutting down; closing agent connections with 1012"
        );
        connections.close_all(1012, "server restarting");
        tokio::time::sleep(CLOSE_GRACE).await;
        handle.stop(true).await;
    });
    tracing::info!(bind = %config.bind, docs = config.debug, "SlimRMM server listening");
    server.await.context("running the HTTP server")
}

async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
