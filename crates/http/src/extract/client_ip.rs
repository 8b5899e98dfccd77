use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::{Ready, ready};

use crate::AppState;
use crate::middleware::{client_ip, forwarded_for};

/// The client's address: the peer, or what a trusted proxy says in `X-Forwarded-For`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequest for ClientIp {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(req)))
    }
}

impl ClientIp {
    /// The address `req` came from.
    pub(crate) fn of(req: &HttpRequest) -> Self {
        let proxies = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.rate_limits.trusted_proxies.clone())
            .unwrap_or_else(|| std::sync::Arc::from(Vec::new()));
        let forwarded = forwarded_for(req.headers());
        Self(client_ip(
            req.peer_addr().map(|address| address.ip()),
            forwarded.as_deref(),
            &proxies,
        ))
    }
}
