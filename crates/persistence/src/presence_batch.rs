//! Coming online, written in batches: during a connect storm thousands of agents connect within
//! seconds, and one statement (and one pooled connection) each exhausted the pool. Calls to
//! [`PresenceRepository::online`] queue here; one writer takes every call waiting (up to
//! [`MAX_BATCH`]) and writes them in one statement, then answers each caller. An idle server
//! writes a lone call at once, so a single connect is not slowed; a busy one writes more per
//! statement the busier it is (group commit). Every other transition is passed through.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::AgentId;
use slimrmm_domain::presence::{AgentSummary, PresenceRepository};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::presence::online_many;
use crate::{Database, PgPresenceRepository};

/// The most agents one statement brings online.
pub const MAX_BATCH: usize = 1000;

struct Request {
    agent: AgentId,
    at: DateTime<Utc>,
    reply: oneshot::Sender<Result<bool, PortError>>,
}

/// [`PgPresenceRepository`] with `online` written in batches (see the module documentation).
#[derive(Clone)]
pub struct BatchedPresence {
    inner: PgPresenceRepository,
    queue: mpsc::Sender<Request>,
}

impl BatchedPresence {
    /// Starts the writer on the current tokio runtime; it stops when the last clone is dropped.
    pub fn start(db: Database) -> Self {
        let (queue, requests) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_batches(db.clone(), requests));
        Self {
            inner: PgPresenceRepository::new(db),
            queue,
        }
    }
}

fn stopped() -> PortError {
    PortError::Unavailable(anyhow::anyhow!("the presence writer stopped"))
}

async fn write_batches(db: Database, mut requests: mpsc::Receiver<Request>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while requests.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let agents: Vec<Uuid> = batch.iter().map(|request| request.agent.0).collect();
        let times: Vec<DateTime<Utc>> = batch.iter().map(|request| request.at).collect();
        match online_many(&db, &agents, &times).await {
            Ok(came_online) => {
                let mut came_online: HashSet<Uuid> = came_online.into_iter().collect();
                for request in batch.drain(..) {
                    // A second call for the same agent in one batch finds it online already.
                    let was_offline = came_online.remove(&request.agent.0);
                    let _ = request.reply.send(Ok(was_offline));
                }
            }
            Err(error) => {
                tracing::warn!(agents = agents.len(), %error, "could not bring agents online");
                for request in batch.drain(..) {
                    let _ = request
                        .reply
                        .send(Err(PortError::Unavailable(anyhow::anyhow!("{error}"))));
                }
            }
        }
    }
}

#[async_trait]
impl PresenceRepository for BatchedPresence {
    async fn online(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Request { agent, at, reply })
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    async fn offline(&self, agent: AgentId, at: DateTime<Utc>) -> Result<bool, PortError> {
        self.inner.offline(agent, at).await
    }

    async fn silent_to_offline(
        &self,
        silent_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError> {
        self.inner.silent_to_offline(silent_since, at).await
    }

    async fn mark_overdue(
        &self,
        offline_since: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<Vec<AgentSummary>, PortError> {
        self.inner.mark_overdue(offline_since, at).await
    }

    async fn set_maintenance(&self, agent: AgentId, enabled: bool) -> Result<(), PortError> {
        self.inner.set_maintenance(agent, enabled).await
    }
}
