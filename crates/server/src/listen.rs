//! The HTTP server on a bound listener, plain or with TLS: the same code for `serve` and for
//! tests.
//!
//! Built from actix-server and actix-http directly (as actix-web's `HttpServer` is) so that
//! every connection's stream can be wrapped in [`Enveloped`]: the few answers actix-http writes
//! on its own (a request head too slow, too large or malformed) then carry the API's error
//! envelope like every other error.

use std::net::TcpListener;
use std::time::Duration;

use actix_http::HttpService;
use actix_server::Server;
use actix_service::boxed::{BoxServiceFactory, factory};
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_tls::accept::rustls_0_23::{Acceptor, TlsStream};
use actix_web::dev::{AppConfig, Extensions};
use actix_web::rt::net::TcpStream;
use slimrmm_http::connection::Enveloped;
use slimrmm_http::{AppState, build_app};

use crate::tls;

/// How the server treats connections.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once, across workers (beyond it new ones wait in the
    /// listener's backlog until one closes).
    pub max_connections: usize,
    /// How long a client may take to send a request head (then 408).
    pub head_timeout: Duration,
    /// How long a TLS handshake may take.
    pub handshake_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: 25_000,
            head_timeout: Duration::from_secs(5),
            handshake_timeout: Duration::from_secs(3),
        }
    }
}

/// One connection's whole life, as a boxed factory (plain or TLS).
type Connection = BoxServiceFactory<(), TcpStream, (), (), ()>;

/// Serves `state` on `listener`, with TLS when `tls` is given (client certificates captured for
/// the agent endpoints), on `workers` threads (default: one per core). Signals are left to the
/// caller.
pub fn listen(
    state: AppState,
    listener: TcpListener,
    tls: Option<rustls::ServerConfig>,
    workers: Option<usize>,
    limits: ConnectionLimits,
) -> std::io::Result<Server> {
    let workers = workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
    });
    let mut builder = Server::build()
        .workers(workers)
        .disable_signals()
        .shutdown_timeout(30)
        .max_concurrent_connections(limits.max_connections.div_ceil(workers).max(1));
    let shutdown = builder.graceful_shutdown_signal();
    let address = listener.local_addr()?;
    builder = builder.listen("slimrmm", listener, move || -> Connection {
        let shutdown = shutdown.clone();
        let app = build_app(state.clone())
            .into_factory()
            .map_err(|error| error.error_response());
        let app = map_config(app, |()| AppConfig::default());
        let ended = |error| tracing::debug!(error = ?error, "connection ended with an error");
        match &tls {
            None => {
                let http = HttpService::<Enveloped<TcpStream>, _, _>::build()
                    .graceful_shutdown_signal(move || {
                        let shutdown = shutdown.clone();
                        async move { shutdown.notified().await }
                    })
                    .client_request_timeout(limits.head_timeout)
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(address)
                    .h1(app);
                factory(
                    fn_service(|stream: TcpStream| {
                        let peer = stream.peer_addr().ok();
                        std::future::ready(Ok((Enveloped::new(stream), peer)))
                    })
                    .and_then(http)
                    .map_err(ended),
                )
            }
            Some(config) => {
                let http = HttpService::<Enveloped<TlsStream<TcpStream>>, _, _>::build()
                    .graceful_shutdown_signal(move || {
                        let shutdown = shutdown.clone();
                        async move { shutdown.notified().await }
                    })
                    .client_request_timeout(limits.head_timeout)
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(address)
                    .secure()
                    .on_connect_ext(
                        |io: &Enveloped<TlsStream<TcpStream>>, data: &mut Extensions| {
                            tls::capture_peer_certificate(io.get_ref(), data)
                        },
                    )
                    .h1(app)
                    .map_err(ended);
                let mut acceptor = Acceptor::new(config.clone());
                acceptor.set_handshake_timeout(limits.handshake_timeout);
                factory(
                    acceptor
                        .map_init_err(|_| ())
                        .map_err(|error| {
                            tracing::debug!(error = ?error, "TLS handshake failed");
                        })
                        .and_then(fn_service(|stream: TlsStream<TcpStream>| {
                            let peer = stream.get_ref().0.peer_addr().ok();
                            std::future::ready(Ok((Enveloped::new(stream), peer)))
                        }))
                        .and_then(http),
                )
            }
        }
    })?;
    Ok(builder.run())
}
