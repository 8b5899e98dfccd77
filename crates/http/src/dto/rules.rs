//! `validator` rules that delegate to the domain's parsers, so each rule is written once.

use std::fmt::Display;

use serde::{Deserialize, Deserializer};
use slimrmm_domain::agent::{AgentVersion, Arch, DisplayName, Hostname, Tags};
use slimrmm_domain::user::{Email, FullName, Password, Username};
use validator::ValidationError;

use crate::error::ApiError;

fn check<T, E: Display>(result: Result<T, E>) -> Result<(), ValidationError> {
    result
        .map(drop)
        .map_err(|error| ValidationError::new("invalid").with_message(error.to_string().into()))
}

/// See [`Username::parse`].
pub fn username(value: &str) -> Result<(), ValidationError> {
    check(Username::parse(value))
}

/// See [`Email::parse`].
pub fn email(value: &str) -> Result<(), ValidationError> {
    check(Email::parse(value))
}

/// See [`FullName::parse`].
pub fn full_name(value: &str) -> Result<(), ValidationError> {
    check(FullName::parse(value))
}

/// See [`Password::parse`].
pub fn new_password(value: &str) -> Result<(), ValidationError> {
    check(Password::parse(value))
}

/// `linux`, `darwin` or `windows`.
pub fn os(value: &str) -> Result<(), ValidationError> {
    check(value.parse::<slimrmm_domain::agent::AgentOs>())
}

/// See [`Hostname::parse`].
pub fn hostname(value: &str) -> Result<(), ValidationError> {
    check(Hostname::parse(value))
}

/// See [`Arch::parse`].
pub fn arch(value: &str) -> Result<(), ValidationError> {
    check(Arch::parse(value))
}

/// See [`AgentVersion::parse`].
pub fn agent_version(value: &str) -> Result<(), ValidationError> {
    check(AgentVersion::parse(value))
}

/// See [`DisplayName::parse`].
pub fn display_name(value: &str) -> Result<(), ValidationError> {
    check(DisplayName::parse(value))
}

/// See [`Tags::parse`].
pub fn tags(value: &[String]) -> Result<(), ValidationError> {
    check(Tags::parse(value))
}

/// Parses a field that validation already accepted; a refusal here still answers 422.
pub fn parsed<T, E: Display>(field: &'static str, result: Result<T, E>) -> Result<T, ApiError> {
    result.map_err(|error| ApiError::invalid_field(field, error))
}

/// Reads a field that may be `null` as `Some(None)`, so that "absent" (leave it) and `null`
/// (clear it) differ in partial updates. Use with `#[serde(default, deserialize_with = ...)]`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A number of seconds from a request as a duration, saturated at the ends of what a duration
/// holds (the domain then refuses it by its own rule, naming the field) instead of panicking.
pub(crate) fn seconds(value: i64) -> chrono::TimeDelta {
    chrono::TimeDelta::try_seconds(value).unwrap_or(if value < 0 {
        chrono::TimeDelta::MIN
    } else {
        chrono::TimeDelta::MAX
    })
}
