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
