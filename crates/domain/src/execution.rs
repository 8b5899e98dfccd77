//! Commands to agents, as durable executions: queued the moment they are asked for, sent when
//! the agent is (or comes) online, answered once.

mod cancel;
mod command;
mod create;
mod model;
mod outcome;
mod query;
mod repository;
mod service;

pub use cancel::CancelExecutionError;
pub use command::{ActionSpec, Command, CommandError};
pub use create::CreateExecutionError;
pub use model::{
    ConnectionId, Execution, ExecutionId, ExecutionStatus, NewExecution, ProcessId, ReplyOutcome,
};
pub(crate) use outcome::outcome_of;
pub use query::{
    ExecutionFilter, ExecutionListQuery, ExecutionSort, GetExecutionError, ListExecutionsError,
};
pub use repository::{ExecutionRepository, ExecutionWaker};
pub(crate) use service::announce;
pub use service::{ExecutionService, ExecutionSettings};

#[cfg(any(test, feature = "mocks"))]
pub use repository::{MockExecutionRepository, MockExecutionWaker};
