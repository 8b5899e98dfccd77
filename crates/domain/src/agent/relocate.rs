use serde_json::json;

use super::{Agent, AgentId, AgentService};
use crate::PortError;
use crate::audit::AuditRecord;
use crate::auth::{Actor, Capability};
use crate::tenancy::SiteId;

/// Why an agent could not be moved.
#[derive(Debug, thiserror::Error)]
pub enum MoveAgentError {
    /// Only admins move agents.
    #[error("only admins may move agents between sites")]
    Forbidden,
    /// No such agent (or outside the caller's scope).
    #[error("agent not found")]
    NotFound,
    /// No such site (or its client is outside the caller's scope).
    #[error("site_id names no site you can see")]
    UnknownSite,
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

impl AgentService {
    /// Moves an agent to another site, possibly of another client (admins, within their scope
    /// on both sides). Audited with where it came from.
    pub async fn move_to(
        &self,
        actor: &Actor,
        id: AgentId,
        site: SiteId,
    ) -> Result<Agent, MoveAgentError> {
        if !actor.can(Capability::Administer) {
            return Err(MoveAgentError::Forbidden);
        }
        let from = super::visible(self.agents.as_ref(), actor, id)
            .await?
            .ok_or(MoveAgentError::NotFound)?
            .agent;
        let target = self
            .tenancy
            .site(site)
            .await?
            .filter(|found| actor.sees(found.site.client))
            .ok_or(MoveAgentError::UnknownSite)?;
        // Only from the client checked above: a move that raced ours is not undone.
        let Some(moved) = self
            .agents
            .move_to(id, from.client, target.site.id, self.clock.now())
            .await?
        else {
            return Err(if self.tenancy.site(site).await?.is_none() {
                MoveAgentError::UnknownSite
            } else {
                MoveAgentError::NotFound
            });
        };
        tracing::info!(agent = %id, from = %from.site, to = %moved.site, by = %actor.id(), "agent moved");
        let record = AuditRecord::by(actor, "agent.move")
            .target("agent", id)
            .details(json!({
                "hostname": moved.facts.hostname.as_str(),
                "from": { "site_id": from.site.0, "client_id": from.client.0 },
                "to": { "site_id": moved.site.0, "client_id": moved.client.0 },
            }));
        self.audit.record(record).await;
        Ok(moved)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::AgentStatus;
    use crate::fixtures::{scoped_actor, site, stored_agent};
    use crate::test_support::agent_services;
    use crate::user::Role;

    fn agent() -> AgentId {
        AgentId(uuid::Uuid::from_u128(7))
    }

    #[tokio::test]
    async fn an_admin_moves_an_agent_within_their_clients_and_it_is_audited() {
        let mut ports = agent_services();
        ports
            .agents
            .expect_find()
            .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Online))));
        ports.tenancy.expect_site().returning(|id| {
            Ok(Some(crate::tenancy::SiteSummary {
                site: site(id.0, 2),
                counts: Default::default(),
            }))
        });
        ports.agents.expect_move_to().returning(|id, _, site, _| {
            let mut moved = stored_agent(id, AgentStatus::Online).agent;
            moved.site = site;
            moved.client = crate::tenancy::ClientId(2);
            Ok(Some(moved))
        });
        let audit = ports.audit.clone();
        let moved = ports
            .service()
            .move_to(&scoped_actor(1, Role::Admin, &[1, 2]), agent(), SiteId(5))
            .await
            .unwrap();
        assert_eq!((moved.site, moved.client.0), (SiteId(5), 2));
        let [record] = audit.records().try_into().unwrap();
        assert_eq!(record.action, "agent.move");
        assert_eq!(record.details["from"]["client_id"], 1);
        assert_eq!(record.details["to"]["site_id"], 5);
    }

    #[tokio::test]
    async fn neither_side_of_a_move_may_lie_outside_the_scope() {
        let mut ports = agent_services();
        ports
            .agents
            .expect_find()
            .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Online))));
        ports.tenancy.expect_site().returning(|id| {
            Ok(Some(crate::tenancy::SiteSummary {
                site: site(id.0, 2),
                counts: Default::default(),
            }))
        });
        ports.agents.expect_move_to().never();
        let service = ports.service();
        let into_other = service
            .move_to(&scoped_actor(1, Role::Admin, &[1]), agent(), SiteId(5))
            .await;
        assert!(matches!(into_other, Err(MoveAgentError::UnknownSite)));
        let from_other = service
            .move_to(&scoped_actor(1, Role::Admin, &[2]), agent(), SiteId(5))
            .await;
        assert!(matches!(from_other, Err(MoveAgentError::NotFound)));
        let technician = service
            .move_to(
                &scoped_actor(1, Role::Technician, &[1, 2]),
                agent(),
                SiteId(5),
            )
            .await;
        assert!(matches!(technician, Err(MoveAgentError::Forbidden)));
    }
}
