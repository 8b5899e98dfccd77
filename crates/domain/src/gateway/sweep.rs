use super::GatewayService;
use crate::PortError;
use crate::event::Event;

impl GatewayService {
    /// Writes the buffered heartbeats; an agent heard from while marked offline comes back
    /// online. Returns how many agents' heartbeats were written.
    pub async fn flush_heartbeats(&self) -> Result<usize, PortError> {
        let flushed = self.ports.heartbeats.flush().await?;
        for agent in flushed.heard_while_offline {
            self.heard_from(agent, "heartbeat").await?;
        }
        Ok(flushed.written)
    }

    /// The agents with commands waiting to be sent, for the delivery sweep (every process
    /// runs it, in case a wake-up was missed): each process sends to those it holds.
    pub async fn agents_with_work(&self) -> Result<Vec<crate::agent::AgentId>, PortError> {
        self.ports
            .executions
            .agents_with_queued(self.ports.clock.now())
            .await
    }

    /// The periodic sweep (every process runs it; each change happens once): silent agents go
    /// offline, long-offline agents become overdue, unsent commands expire, unanswered ones time
    /// out, and what dead server processes had sent is settled.
    pub async fn sweep(&self) -> Result<(), PortError> {
        let now = self.ports.clock.now();
        for agent in self
            .ports
            .presence
            .silent_to_offline(now - self.settings.offline_after, now)
            .await?
        {
            tracing::info!(agent = %agent.id, "agent offline: no heartbeat");
            self.went_offline(agent.id, now);
        }
        for agent in self
            .ports
            .presence
            .mark_overdue(now - self.settings.overdue_after, now)
            .await?
        {
            tracing::warn!(agent = %agent.id, "agent overdue");
            let data = serde_json::json!({ "overdue": true });
            self.ports
                .events
                .publish(Event::agent("agent.offline", agent.id, now, data));
        }
        for execution in self.ports.executions.sweep(now).await? {
            self.ports.events.publish(Event::execution(&execution));
        }
        self.settle_dead_processes().await?;
        Ok(())
    }
}
