//! Translation of storage errors into the domain's `PortError`.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use slimrmm_domain::PortError;

/// A connection could not be had: the database is down, unreachable or saturated.
pub(crate) fn pool_error(error: PoolError) -> PortError {
    PortError::Unavailable(anyhow::anyhow!("database connection unavailable: {error}"))
}

/// A statement failed.
pub(crate) fn query_error(error: DieselError) -> PortError {
    match &error {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => {
            PortError::Unavailable(anyhow::Error::new(error).context("database connection lost"))
        }
        _ => PortError::Unexpected(anyhow::Error::new(error).context("database query failed")),
    }
}

/// The name of the unique index a statement violated, if that is why it failed.
pub(crate) fn violated_unique_index(error: &DieselError) -> Option<&str> {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            info.constraint_name()
        }
        _ => None,
    }
}

/// Data in the database that the domain refuses: a bug or a hand edit.
pub(crate) fn corrupt(what: &str, error: impl std::fmt::Display) -> PortError {
    PortError::Unexpected(anyhow::anyhow!("stored {what} is invalid: {error}"))
}

/// Outcome of a transaction that can fail on the database or on a domain rule.
pub(crate) enum TxError<E> {
    Db(DieselError),
    Rule(E),
}

impl<E> From<DieselError> for TxError<E> {
    fn from(error: DieselError) -> Self {
        Self::Db(error)
    }
}
