//! Translation of storage errors into the domain's `PortError`.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use slimrmm_domain::PortError;

/// A connection could not be had: the database is down, unreachable or saturated.
pub(crate) fn pool_error(error: PoolError) -> PortError {
    PortError::Unavailable(anyhow::anyhow!("database connection unavailable: {error}"))
}

/// What PostgreSQL says when it cannot do the work right now, whatever the statement: it is
/// shutting down or starting up (57P01, 57P03), out of room (53xxx), read-only after a
/// failover (25006), or a statement lost a race or ran out of time (40001, 40P01, 55P03,
/// 57014). diesel does not expose the SQLSTATE, so its messages are recognised.
const TRANSIENT: [&str; 10] = [
    "terminating connection due to administrator command",
    "the database system is",
    "could not extend file",
    "no space left on device",
    "out of memory",
    "too many connections",
    "deadlock detected",
    "could not obtain lock",
    "canceling statement due to",
    "read-only transaction",
];

/// A statement failed: `Unavailable` when the database could not do any work now (retry
/// later, keep what was to be written), `Unexpected` when this statement was refused.
pub(crate) fn query_error(error: DieselError) -> PortError {
    let transient = match &error {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::UnableToSendCommand
            | DatabaseErrorKind::ReadOnlyTransaction
            | DatabaseErrorKind::SerializationFailure,
            _,
        )
        | DieselError::BrokenTransactionManager => true,
        DieselError::DatabaseError(_, info) => {
            let message = info.message().to_ascii_lowercase();
            TRANSIENT.iter().any(|marker| message.contains(marker))
        }
        _ => false,
    };
    if transient {
        PortError::Unavailable(anyhow::Error::new(error).context("the database cannot work now"))
    } else {
        PortError::Unexpected(anyhow::Error::new(error).context("database query failed"))
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

/// The name of the foreign key a statement violated, if that is why it failed.
pub(crate) fn violated_foreign_key(error: &DieselError) -> Option<&str> {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
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
