//! Per-client rate limits (GCRA, from `governor`): a general budget for the API, a stricter one
//! for the password endpoints, and one of its own for agent traffic, so neither starves the
//! other. Every limited response carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
//! `X-RateLimit-Reset` (unix seconds when the budget is whole again); over the limit the answer
//! is 429 `RATE_LIMITED` with `Retry-After`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, RETRY_AFTER};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};
use governor::clock::Clock;
use governor::middleware::StateInformationMiddleware;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use crate::AppState;
use crate::error::ApiError;

/// The client a budget is kept for: an IPv4 address, or an IPv6 /64 (one subscriber's
/// network, so rotating addresses inside it gains nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// An IPv4 address.
    V4(u32),
    /// The first 64 bits of an IPv6 address.
    V6(u64),
    /// No address known (in-process tests).
    Unknown,
    /// An API key (a hash of its secret): each key has a budget of its own, wherever it is
    /// used from.
    Key(u64),
}

impl From<IpAddr> for ClientKey {
    fn from(ip: IpAddr) -> Self {
        match canonical(ip) {
            IpAddr::V4(v4) => Self::V4(v4.into()),
            IpAddr::V6(v6) => Self::V6((u128::from(v6) >> 64) as u64),
        }
    }
}

/// One budget: so many requests per minute per client.
#[derive(Clone)]
pub struct Budget {
    per_minute: NonZeroU32,
    limiter: Arc<DefaultKeyedRateLimiter<ClientKey, StateInformationMiddleware>>,
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("per_minute", &self.per_minute)
            .field("clients", &self.limiter.len())
            .finish()
    }
}

/// What a request may do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The budget per minute.
    pub limit: u32,
    /// Requests left right now.
    pub remaining: u32,
    /// Unix seconds when the budget is whole again.
    pub reset: u64,
    /// Seconds to wait, when refused.
    pub retry_after: Option<u64>,
}

impl Budget {
    /// `per_minute` requests per minute per client, all of them usable in a burst.
    pub fn per_minute(per_minute: NonZeroU32) -> Self {
        let limiter = RateLimiter::keyed(Quota::per_minute(per_minute))
            .with_middleware::<StateInformationMiddleware>();
        Self {
            per_minute,
            limiter: Arc::new(limiter),
        }
    }

    /// Takes one request from `client`'s budget.
    pub fn check(&self, client: ClientKey) -> Decision {
        let limit = self.per_minute.get();
        let interval = Duration::from_secs(60) / limit;
        let now = unix_now();
        match self.limiter.check_key(&client) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let refill = interval * (limit - remaining);
                Decision {
                    limit,
                    remaining,
                    reset: (now + refill).as_secs_f64().ceil() as u64,
                    retry_after: None,
                }
            }
            Err(not_until) => {
                // The limiter's own clock: building a new one calibrates it (tens of µs).
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                let wait_seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
                Decision {
                    limit,
                    remaining: 0,
                    reset: (now + interval * limit).as_secs_f64().ceil() as u64,
                    retry_after: Some(wait_seconds),
                }
            }
        }
    }

    /// Forgets clients whose budget is whole again (memory stays bounded however many
    /// addresses an attacker rotates through).
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Clients currently tracked.
    pub fn clients(&self) -> usize {
        self.limiter.len()
    }
}

fn unix_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The three budgets and whom to believe about the client's address.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// The API in general (`SLIMRMM_RATE_LIMIT_PER_MINUTE`).
    pub api: Budget,
    /// Login, forgot-password, reset-password (`SLIMRMM_AUTH_RATE_LIMIT_PER_MINUTE`).
    pub auth: Budget,
    /// Agents: enrollment, polling, renewal, the WebSocket (`SLIMRMM_AGENT_RATE_LIMIT_PER_MINUTE`).
    pub agent: Budget,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<[IpNet]>,
    /// The API keys this process has seen accepted (hashes of their secrets): only those get a
    /// budget of their own; any other key is charged to its sender's address, so made-up keys
    /// cannot buy fresh budgets.
    pub verified_keys: VerifiedKeys,
}

impl RateLimits {
    /// Budgets of `api`, `auth` and `agent` requests per minute per client.
    pub fn new(
        api: NonZeroU32,
        auth: NonZeroU32,
        agent: NonZeroU32,
        trusted_proxies: Arc<[IpNet]>,
    ) -> Self {
        Self {
            api: Budget::per_minute(api),
            auth: Budget::per_minute(auth),
            agent: Budget::per_minute(agent),
            trusted_proxies,
            verified_keys: VerifiedKeys::default(),
        }
    }

    /// Forgets idle clients in every budget.
    pub fn forget_idle(&self) {
        for budget in [&self.api, &self.auth, &self.agent] {
            budget.forget_idle();
        }
    }

    /// The budget a request draws on, if any (health checks and the docs draw on none).
    fn budget_for(&self, method: &Method, path: &str) -> Option<&Budget> {
        let api = path.strip_prefix("/api/v1/")?;
        let auth = matches!(
            api,
            "auth/login"
                | "auth/login/second-factor"
                | "auth/forgot-password"
                | "auth/reset-password"
        ) && method == Method::POST;
        let agent = api.starts_with("enrollment/")
            || api == "agents/register"
            || api == "ws/agent"
            || (api.starts_with("agents/") && api.ends_with("/renew-cert"));
        Some(if auth {
            &self.auth
        } else if agent {
            &self.agent
        } else {
            &self.api
        })
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, as dual-stack sockets report them) as
/// the IPv4 address it is; others unchanged.
/// A hash of an API key's secret, as budgets and [`VerifiedKeys`] know it.
pub(crate) fn key_hash(secret: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    secret.hash(&mut hasher);
    hasher.finish()
}

/// The hashes of the API keys seen accepted, forgotten all at once beyond 100,000 (a key then
/// pays from its address's budget until it is seen again).
#[derive(Debug, Clone, Default)]
pub struct VerifiedKeys(Arc<std::sync::Mutex<std::collections::HashSet<u64>>>);

impl VerifiedKeys {
    const MAX: usize = 100_000;

    /// Records a key that was just accepted.
    pub(crate) fn insert(&self, hash: u64) {
        if let Ok(mut keys) = self.0.lock() {
            if keys.len() >= Self::MAX {
                keys.clear();
            }
            keys.insert(hash);
        }
    }

    fn contains(&self, hash: u64) -> bool {
        self.0.lock().is_ok_and(|keys| keys.contains(&hash))
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// Whether `ip` is one of `proxies` (addresses or networks).
pub fn is_trusted(proxies: &[IpNet], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    proxies.iter().any(|net| net.contains(&ip))
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    proxies: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer?;
    if !is_trusted(proxies, peer) {
        return Some(peer);
    }
    let Some(chain) = forwarded_for else {
        return Some(peer);
    };
    let mut client = peer;
    for hop in chain.rsplit(',') {
        let Ok(ip) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(proxies, ip) {
            break;
        }
    }
    Some(client)
}

/// Every `X-Forwarded-For` line, joined in order (a proxy may add a line of its own rather
/// than append to the client's).
pub fn forwarded_for(headers: &actix_web::http::header::HeaderMap) -> Option<String> {
    let lines: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|value| value.to_str().ok())
        .collect();
    (!lines.is_empty()).then(|| lines.join(","))
}

fn header(value: impl ToString) -> HeaderValue {
    HeaderValue::from_str(&value.to_string()).unwrap_or(HeaderValue::from_static("0"))
}

/// Applies the budget of the request's kind to its client.
pub(crate) async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limits) = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.rate_limits.clone())
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // The decoded path, as the router sees it: `/api/v1/auth/logi%6E` is the login too.
    let path = req.match_info().as_str().to_owned();
    let Some(budget) = limits.budget_for(req.method(), &path) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let forwarded = forwarded_for(req.headers());
    let ip = client_ip(
        req.peer_addr().map(|address| address.ip()),
        forwarded.as_deref(),
        &limits.trusted_proxies,
    );
    let key = crate::extract::api_key(req.request())
        .filter(|_| std::ptr::eq(budget, &limits.api))
        .map(|secret| key_hash(&secret))
        .filter(|hash| limits.verified_keys.contains(*hash))
        .map(ClientKey::Key);
    let decision = budget.check(key.unwrap_or(ip.map_or(ClientKey::Unknown, ClientKey::from)));
    let mut response = match decision.retry_after {
        Some(wait) => {
            tracing::warn!(client = ?ip, path = req.path(), "rate limit exceeded");
            let error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                format!(
                    "too many requests: at most {} per minute; try again in {wait} s",
                    decision.limit
                ),
            );
            let mut response = req.into_response(error.error_response());
            response.headers_mut().insert(RETRY_AFTER, header(wait));
            response
        }
        None => next.call(req).await?.map_into_boxed_body(),
    };
    let headers = response.headers_mut();
    headers.insert(
        HeaderName::from_static("x-ratelimit-limit"),
        header(decision.limit),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-remaining"),
        header(decision.remaining),
    );
    headers.insert(
        HeaderName::from_static("x-ratelimit-reset"),
        header(decision.reset),
    );
    Ok(response)
}

#[cfg(test)]
mod tests;
