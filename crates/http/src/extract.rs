//! Request extractors: authenticated callers, validated JSON bodies, list queries.

mod agent_headers;
mod auth;
mod client_certificate;
mod client_ip;
mod json;
mod list;
mod validation;

pub use agent_headers::AgentHeaders;
#[cfg(test)]
pub(crate) use auth::act_as;
pub(crate) use auth::authenticate;
pub(crate) use auth::two_factor_required;
pub use auth::{
    API_KEY_HEADER, Administer, Authorized, BearerToken, Enrolling, Global, Operate, Read,
    Requirement, SignedIn,
};
pub(crate) use auth::{Presented, api_key, identify};
pub use client_certificate::{
    ClientCertificate, ClientCertificateSource, PeerCertificate, decode_header,
};
pub use client_ip::ClientIp;
pub use json::{OptionalJson, ValidJson};
pub(crate) use json::{is_json, parse_json, payload_error};
pub use list::{ListParams, ListParamsDoc};
pub(crate) use validation::validation_errors;
