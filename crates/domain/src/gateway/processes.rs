//! Server processes know each other's liveness: each beats every few seconds, and a process
//! whose beat stops is dead. The survivors settle the commands it had sent (agents answer on
//! the connection a command came on, which died with it): read-only ones go back to the queue
//! for the agent's next connection, mutating ones fail with a reason that says why, within
//! about half a minute instead of at their deadline.

use async_trait::async_trait;
use chrono::TimeDelta;

use super::GatewayService;
use crate::PortError;
use crate::event::Event;
use crate::execution::ProcessId;

/// Where processes beat. Times are the store's own clock, so processes on machines whose
/// clocks disagree still agree on who is silent.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ProcessRegistry: Send + Sync {
    /// `process` is alive now (registering it on its first beat). A beat after a silence of
    /// more than `gap` starts a new steady period.
    async fn beat(&self, process: ProcessId, gap: TimeDelta) -> Result<(), PortError>;

    /// The processes silent for longer than `silent_for`, as `judge` sees them: none unless
    /// `judge` itself has beaten steadily for at least that long, so that after an outage of
    /// the store (when every beat stopped) nobody is declared dead before it could beat again.
    async fn dead(
        &self,
        judge: ProcessId,
        silent_for: TimeDelta,
    ) -> Result<Vec<ProcessId>, PortError>;

    /// Removes `process` (settled, or stopping cleanly).
    async fn forget(&self, process: ProcessId) -> Result<(), PortError>;
}

const ABANDONED: &str = "the server process that sent this command stopped before the agent's \
                         answer arrived; not re-sent because this action changes the machine";

impl GatewayService {
    /// This process's identity.
    pub fn process(&self) -> ProcessId {
        self.process
    }

    /// Tells the other processes this one is alive (every few seconds).
    pub async fn beat(&self) -> Result<(), PortError> {
        self.ports
            .processes
            .beat(self.process, self.settings.process_dead_after / 2)
            .await
    }

    /// Settles what dead processes had sent: read-only executions back to the queue, mutating
    /// ones failed. Returns how many processes were found dead.
    pub async fn settle_dead_processes(&self) -> Result<usize, PortError> {
        let now = self.ports.clock.now();
        let dead = self
            .ports
            .processes
            .dead(self.process, self.settings.process_dead_after)
            .await?;
        for process in &dead {
            let failed = self
                .ports
                .executions
                .abandoned(*process, ABANDONED, now)
                .await?;
            tracing::warn!(%process, failed = failed.len(), "a server process stopped beating; its sent commands are settled");
            for execution in &failed {
                self.ports.events.publish(Event::execution(execution));
            }
            self.ports.processes.forget(*process).await?;
        }
        Ok(dead.len())
    }

    /// This process is stopping cleanly: what it sent and saw no answer to is settled (its
    /// connections are gone; an agent that reconnected during the shutdown may have been sent
    /// something after its connections were closed), and it leaves the registry.
    pub async fn leave(&self) -> Result<(), PortError> {
        let now = self.ports.clock.now();
        for execution in self
            .ports
            .executions
            .abandoned(self.process, ABANDONED, now)
            .await?
        {
            self.ports.events.publish(Event::execution(&execution));
        }
        self.ports.processes.forget(self.process).await
    }
}
