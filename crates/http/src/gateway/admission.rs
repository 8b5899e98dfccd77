//! Pacing agent admissions: each connecting agent costs a few database statements (identity,
//! admission, presence, its queued commands). When thousands reconnect at once (a server
//! restart, a site's link coming back), unpaced they all wait on the pool at once, time out,
//! and take the API down with them. At most so many admissions run at a time; the others wait
//! their turn for a while, then are refused with 503 `AGENT_BUSY` and retry after their
//! back-off, while the pool keeps room for API requests.

use std::sync::Arc;
use std::time::Duration;

use actix_web::http::StatusCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// The admissions of one process.
#[derive(Debug, Clone)]
pub struct Admissions {
    permits: Arc<Semaphore>,
    concurrent: usize,
    wait: Duration,
}

/// A turn to be admitted: hold it until the agent's connection is registered.
#[derive(Debug)]
pub struct Turn(#[allow(dead_code)] OwnedSemaphorePermit);

impl Admissions {
    /// At most `concurrent` admissions at a time; a newcomer waits at most `wait` for a turn.
    /// Zero admits no agent at all (a process being drained), refusing at once.
    pub fn new(concurrent: usize, wait: Duration) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrent)),
            concurrent,
            wait,
        }
    }

    /// A turn, or 503 `AGENT_BUSY` (`Retry-After: 10`) when none came in time.
    pub async fn enter(&self) -> Result<Turn, ApiError> {
        let permits = self.permits.clone();
        let wait = if self.concurrent == 0 {
            Duration::ZERO
        } else {
            self.wait
        };
        match tokio::time::timeout(wait, permits.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Turn(permit)),
            _ => Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "AGENT_BUSY",
                "too many agents are connecting at once; retry later",
            )
            .retry_after(10)),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;

    use super::*;

    #[tokio::test]
    async fn a_newcomer_waits_for_a_turn_and_is_refused_when_none_comes() {
        let admissions = Admissions::new(1, Duration::from_millis(50));
        let first = admissions.enter().await.unwrap();
        let refused = admissions.enter().await.unwrap_err();
        assert_eq!(
            (refused.code(), refused.status_code()),
            ("AGENT_BUSY", StatusCode::SERVICE_UNAVAILABLE)
        );
        let waiting = tokio::spawn({
            let admissions = admissions.clone();
            async move { admissions.enter().await.is_ok() }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(first);
        assert!(
            waiting.await.unwrap(),
            "a turn given back goes to the one waiting"
        );
    }
}
