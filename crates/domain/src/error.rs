//! Failures of the infrastructure behind a port.

/// A port could not do its work for a reason outside the domain's rules.
///
/// Adapters translate their own errors into one of these variants; use-case error enums wrap it
/// so callers can tell "the database is down" (retry later) from "something is broken".
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    /// The backing service (database, mail server, ...) is unreachable or overloaded.
    #[error("a backing service is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// The work was refused at once because the server is saturated (every worker busy and
    /// the short queue full): retry in a moment. Refusing beats queueing without bound.
    #[error("the server is busy")]
    Busy(#[source] anyhow::Error),
    /// Anything else: a bug, corrupt data, an unexpected answer.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl PortError {
    /// Wraps any error as [`PortError::Unexpected`].
    pub fn unexpected(error: impl Into<anyhow::Error>) -> Self {
        Self::Unexpected(error.into())
    }
}

/// A field of a request that breaks a domain rule (answered as 422 naming the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidField {
    /// The field as the caller named it (`content`, `schedule.cron`, `targets.agent_uuids`).
    pub field: String,
    /// Why it was refused.
    pub message: String,
}

impl InvalidField {
    /// `field` was refused because of `message`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
