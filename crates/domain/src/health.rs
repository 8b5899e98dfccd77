//! The readiness port: can this process serve requests right now?

use async_trait::async_trait;

use crate::PortError;

/// Checks that the services the server depends on answer.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ReadinessProbe: Send + Sync {
    /// `Ok` when every dependency answered in time.
    async fn check(&self) -> Result<(), PortError>;
}
