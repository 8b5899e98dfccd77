//! The HTTP server on a bound listener, plain or with TLS: the same code for `serve` and for
//! tests.

use std::net::TcpListener;

use actix_web::HttpServer;
use actix_web::dev::Server;
use slimrmm_http::{AppState, build_app};

use crate::tls;

/// Serves `state` on `listener`, with TLS when `tls` is given (client certificates captured for
/// the agent endpoints). Signals are left to the caller.
pub fn listen(
    state: AppState,
    listener: TcpListener,
    tls: Option<rustls::ServerConfig>,
    workers: Option<usize>,
) -> std::io::Result<Server> {
    let mut server = HttpServer::new(move || build_app(state.clone()))
        .on_connect(tls::capture_peer_certificate)
        .disable_signals();
    if let Some(workers) = workers {
        server = server.workers(workers);
    }
    let server = match tls {
        Some(config) => server.listen_rustls_0_23(listener, config)?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}
