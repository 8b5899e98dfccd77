//! Request and response plumbing shared by every route.

mod body_deadline;
mod error_envelope;
mod methods;
mod paths;
mod rate_limit;

pub(crate) use body_deadline::body_deadline;
pub(crate) use error_envelope::error_envelope;
pub(crate) use methods::{RouteMethods, head_as_get, literal_route_refusal, unrouted};
pub(crate) use paths::normalize_path;
pub use rate_limit::{
    Budget, ClientKey, Decision, RateLimits, VerifiedKeys, client_ip, forwarded_for, is_trusted,
};
pub(crate) use rate_limit::{key_hash, rate_limit};
