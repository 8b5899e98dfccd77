use std::time::Duration;

use anyhow::Context;
use slimrmm_domain::enrollment::AgentAuthMode;

use crate::config::Config;
use crate::listen::listen;
use crate::{tls, wiring};

/// How long agents get to see the 1012 close before the server stops.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// Prepares the database, creates the first admin if needed, and serves until SIGINT/SIGTERM.
/// On shutdown the server stops accepting, agent connections are closed with 1012 (the agents
/// reconnect at once, to this or another process), in-flight requests get up to 30 s to
/// finish, buffered heartbeats are written, and the process exits 0.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = wiring::prepare_database(&config).await?;
    let assembly = wiring::assemble(&config, db).await?;
    let background = assembly.start_background(&config);
    wiring::bootstrap_admin(&config, &assembly.state.users).await?;
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::server_config(
            cert,
            key,
            assembly.ca.certificate_der()?,
        )?),
        _ => None,
    };
    log_agent_auth(&config);
    let state = assembly.state.clone();
    let connections = state.connections.clone();
    let listener = std::net::TcpListener::bind(config.bind)
        .with_context(|| format!("binding {}", config.bind))?;
    let https = tls.is_some();
    let server = listen(state, listener, tls, None, config.connection_limits())
        .context("starting the HTTP server")?;
    let metrics = match config.metrics_bind {
        Some(bind) => {
            let state = assembly.state.clone();
            let server =
                actix_web::HttpServer::new(move || slimrmm_http::metrics_app(state.clone()))
                    .workers(1)
                    .disable_signals()
                    .bind(bind)
                    .with_context(|| format!("binding SLIMRMM_METRICS_BIND {bind}"))?
                    .run();
            tracing::info!(bind = %bind, "metrics served on their own address");
            let handle = server.handle();
            actix_web::rt::spawn(server);
            Some(handle)
        }
        None => None,
    };
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        shutdown_signal().await;
        if let Some(metrics) = metrics {
            metrics.stop(true).await;
        }
        tracing::info!(
            agents = connections.len(),
            "shutting down; closing agent connections with 1012"
        );
        connections.close_all(1012, "server restarting");
        tokio::time::sleep(CLOSE_GRACE).await;
        handle.stop(true).await;
    });
    tracing::info!(bind = %config.bind, https, docs = config.debug, "SlimRMM server listening");
    server.await.context("running the HTTP server")?;
    drop(background);
    if let Err(error) = assembly.state.gateway.leave().await {
        tracing::warn!(error = ?error, "leaving the process registry failed; the others will find this process silent");
    }
    // Heartbeats received in the last second are still buffered: write them before leaving.
    match assembly.state.gateway.flush_heartbeats().await {
        Ok(written) => tracing::info!(heartbeats = written, "stopped"),
        Err(error) => tracing::warn!(error = ?error, "the last heartbeats could not be written"),
    }
    Ok(())
}

fn log_agent_auth(config: &Config) {
    match config.agent_auth() {
        AgentAuthMode::Uuid => tracing::warn!(
            "SLIMRMM_AGENT_AUTH=uuid: agent identity is NOT verified; anyone who knows an \
             agent's uuid can act as that agent. Configure SLIMRMM_TLS_CERT/SLIMRMM_TLS_KEY or \
             SLIMRMM_CLIENT_CERT_HEADER to require client certificates"
        ),
        AgentAuthMode::Mtls => tracing::info!(
            tls = config.tls(),
            client_cert_header = config.client_cert_header.as_deref(),
            "SLIMRMM_AGENT_AUTH=mtls: agents must present their client certificate"
        ),
    }
}

async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing the SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
