use super::GatewayService;
use crate::PortError;
use crate::event::Event;
use crate::notification::Notification;

impl GatewayService {
    /// The periodic sweep (every process runs it; each change happens once): silent agents go
    /// offline, long-offline agents become overdue, unsent commands expire, unanswered ones time
    /// out.
    pub async fn sweep(&self) -> Result<(), PortError> {
        let now = self.ports.clock.now();
        for agent in self
            .ports
            .presence
            .silent_to_offline(now - self.settings.offline_after, now)
            .await?
        {
            tracing::info!(agent = %agent.id, "agent offline: no heartbeat");
            self.went_offline(agent.id, agent.hostname, now).await;
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
            let notification = Notification::AgentOverdue {
                agent: agent.id,
                hostname: agent.hostname,
                at: now,
            };
            if let Err(error) = self.ports.notifier.notify(&notification).await {
                tracing::debug!(agent = %agent.id, error = %error, "overdue notification not delivered");
            }
        }
        for execution in self.ports.executions.sweep(now).await? {
            self.ports.events.publish(Event::execution(&execution));
        }
        Ok(())
    }
}
