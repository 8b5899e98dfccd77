use super::{AgentId, AgentRepository, StoredAgent};
use crate::PortError;
use crate::auth::Actor;

/// The agent `id` as `actor` may see it: `None` when there is no such agent or it belongs to a
/// client outside the actor's scope, so that an out-of-scope agent answers exactly as a missing
/// one does. Every use case that takes an agent from a caller goes through here.
pub async fn visible(
    agents: &dyn AgentRepository,
    actor: &Actor,
    id: AgentId,
) -> Result<Option<StoredAgent>, PortError> {
    Ok(agents
        .find(id)
        .await?
        .filter(|found| actor.sees(found.agent.client)))
}

/// True when `actor` may see what concerns agent `id` (its executions, alerts, ...): always for
/// a user of every client (even once the agent is deleted), else when the agent is live and in
/// their scope.
pub async fn sees_agent(
    agents: &dyn AgentRepository,
    actor: &Actor,
    id: AgentId,
) -> Result<bool, PortError> {
    if actor.scope().is_all() {
        return Ok(true);
    }
    Ok(visible(agents, actor, id).await?.is_some())
}
