//! Enrollment tokens and agents, stored in the [`MemoryDb`].

use anyhow::anyhow;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

use slimrmm_domain::PortError;
use slimrmm_domain::agent::{
    Agent, AgentFacts, AgentId, AgentLabelChanges, AgentListQuery, AgentRepository, AgentSecrets,
    AgentSelector, AgentSort, AgentStatus, EnrollAgentError, NewAgent, StoredAgent, Target,
};
use slimrmm_domain::auth::TokenDigest;
use slimrmm_domain::enrollment::{
    CertificateRecord, CertificateSerial, EnrollmentToken, EnrollmentTokenId,
    EnrollmentTokenListQuery, EnrollmentTokenRepository, EnrollmentTokenSort, NewEnrollmentToken,
};
use slimrmm_domain::list::Page;
use slimrmm_domain::notification::Notification;
use slimrmm_domain::user::UserId;

use super::{AgentRow, MemoryDb, TokenRow, found, maybe_time, next, paginate, text, time};

#[async_trait]
impl EnrollmentTokenRepository for MemoryDb {
    async fn create(
        &self,
        new: &NewEnrollmentToken,
        now: DateTime<Utc>,
    ) -> Result<EnrollmentToken, PortError> {
        let mut db = self.lock();
        let token = EnrollmentToken {
            id: EnrollmentTokenId(next(&mut db.ids.tokens)),
            name: new.name.clone(),
            auto_approve: new.auto_approve,
            tags: new.tags.clone(),
            max_uses: new.max_uses,
            uses: 0,
            expires_at: new.expires_at,
            revoked_at: None,
            created_by: Some(new.created_by),
            created_at: now,
            last_used_at: None,
        };
        db.enrollment_tokens.push(TokenRow {
            token: token.clone(),
            digest: new.digest,
        });
        Ok(token)
    }

    async fn list(
        &self,
        query: &EnrollmentTokenListQuery,
    ) -> Result<Page<EnrollmentToken>, PortError> {
        let db = self.lock();
        let rows = db
            .enrollment_tokens
            .iter()
            .map(|row| row.token.clone())
            .filter(|t| {
                query
                    .filter
                    .revoked
                    .is_none_or(|r| t.revoked_at.is_some() == r)
            })
            .filter(|t| found(query.search.as_ref(), &[t.name.as_str()]))
            .collect();
        Ok(paginate(rows, query, |token, sort| match sort {
            EnrollmentTokenSort::CreatedAt => time(token.created_at),
            EnrollmentTokenSort::Name => text(token.name.as_str()),
            EnrollmentTokenSort::ExpiresAt => maybe_time(token.expires_at),
        }))
    }

    async fn find_by_digest(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<EnrollmentToken>, PortError> {
        let db = self.lock();
        let row = db
            .enrollment_tokens
            .iter()
            .find(|row| row.digest == *digest);
        Ok(row.map(|row| row.token.clone()))
    }

    async fn revoke(
        &self,
        id: EnrollmentTokenId,
        now: DateTime<Utc>,
    ) -> Result<Option<EnrollmentToken>, PortError> {
        let mut db = self.lock();
        let row = db
            .enrollment_tokens
            .iter_mut()
            .find(|row| row.token.id == id);
        Ok(row.map(|row| {
            row.token.revoked_at.get_or_insert(now);
            row.token.clone()
        }))
    }
}

/// Whether `selector` reaches `agent` (see `AgentSelector`): all, or listed, or tagged, or
/// (with nothing else given) on one of the systems; always narrowed to those systems.
#[async_trait]
impl AgentRepository for MemoryDb {
    async fn enroll(
        &self,
        new: &NewAgent,
        certificate: Option<CertificateRecord>,
        now: DateTime<Utc>,
    ) -> Result<Agent, EnrollAgentError> {
        let mut db = self.lock();
        if db.agents.iter().any(|row| row.stored.agent.id == new.id) {
            return Err(PortError::unexpected(anyhow!("agent uuid {} exists", new.id)).into());
        }
        // Take one use of the token, if it still admits agents.
        let token = db
            .enrollment_tokens
            .iter_mut()
            .map(|row| &mut row.token)
            .find(|token| token.id == new.enrollment_token)
            .filter(|token| token.refusal(now).is_none())
            .ok_or(EnrollAgentError::TokenNoLongerValid)?;
        token.uses += 1;
        token.last_used_at = Some(now);
        let agent = Agent {
            id: new.id,
            facts: new.facts.clone(),
            display_name: None,
            external_ip: None,
            serial_number: None,
            tags: new.tags.clone(),
            status: new.status,
            approved_at: new.status.is_approved().then_some(now),
            last_seen_at: None,
            maintenance: false,
            overdue_since: None,
            created_at: now,
            updated_at: now,
        };
        db.agents.push(AgentRow {
            stored: StoredAgent {
                agent: agent.clone(),
                secrets: new.secrets,
            },
            approved_by: None,
            deleted_at: None,
        });
        db.certificates.extend(certificate);
        if new.status == AgentStatus::Pending {
            let waiting = Notification::AgentPendingApproval {
                agent: new.id,
                hostname: new.facts.hostname.clone(),
                at: now,
            };
            db.enqueue(waiting, now);
        }
        Ok(agent)
    }

    async fn find(&self, id: AgentId) -> Result<Option<StoredAgent>, PortError> {
        Ok(self.lock().live_agent(id).map(|row| row.stored.clone()))
    }

    async fn reinstall(
        &self,
        id: AgentId,
        facts: &AgentFacts,
        secrets: &AgentSecrets,
        certificate: Option<CertificateRecord>,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError> {
        let mut db = self.lock();
        let Some(row) = db.live_agent_mut(id) else {
            return Ok(None);
        };
        row.stored.agent.facts = facts.clone();
        row.stored.agent.updated_at = now;
        row.stored.secrets = *secrets;
        let agent = row.stored.agent.clone();
        db.revoke_certificates(id, now);
        db.certificates.extend(certificate);
        Ok(Some(agent))
    }

    async fn list(&self, query: &AgentListQuery) -> Result<Page<Agent>, PortError> {
        let db = self.lock();
        let filter = &query.filter;
        let rows = db
            .agents
            .iter()
            .filter(|row| row.deleted_at.is_none())
            .map(|row| row.stored.agent.clone())
            .filter(|a| filter.status.is_none_or(|status| a.status == status))
            .filter(|a| filter.os.is_none_or(|os| a.facts.os == os))
            .filter(|a| {
                filter
                    .tag
                    .as_ref()
                    .is_none_or(|t| a.tags.iter().any(|x| x == t))
            })
            .filter(|a| {
                let name = a.display_name.as_ref().map_or("", |n| n.as_str());
                found(query.search.as_ref(), &[a.facts.hostname.as_str(), name])
            })
            .collect();
        Ok(paginate(rows, query, |agent, sort| match sort {
            AgentSort::Hostname => text(agent.facts.hostname.as_str()),
            AgentSort::Status => text(agent.status.as_str()),
            AgentSort::Os => text(agent.facts.os.as_str()),
            AgentSort::AgentVersion => text(agent.facts.agent_version.as_str()),
            AgentSort::LastSeenAt => maybe_time(agent.last_seen_at),
            AgentSort::CreatedAt => time(agent.created_at),
        }))
    }

    async fn select(&self, selector: &AgentSelector) -> Result<Vec<Target>, PortError> {
        let db = self.lock();
        let mut targets: Vec<Target> = db
            .agents
            .iter()
            .filter(|row| row.deleted_at.is_none())
            .map(|row| &row.stored.agent)
            .filter(|agent| agent.status.is_approved() && selector.selects(agent))
            .map(|agent| Target {
                id: agent.id,
                hostname: agent.facts.hostname.clone(),
                os: agent.facts.os,
                online: agent.status == AgentStatus::Online,
            })
            .collect();
        targets.sort_by(|a, b| a.hostname.as_str().cmp(b.hostname.as_str()));
        Ok(targets)
    }

    async fn transition(
        &self,
        id: AgentId,
        from: AgentStatus,
        to: AgentStatus,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError> {
        let mut db = self.lock();
        let Some(row) = db
            .live_agent_mut(id)
            .filter(|row| row.stored.agent.status == from)
        else {
            return Ok(None);
        };
        let agent = &mut row.stored.agent;
        agent.status = to;
        agent.updated_at = now;
        if to.is_approved() && !from.is_approved() {
            agent.approved_at = Some(now);
            row.approved_by = by;
        }
        let agent = row.stored.agent.clone();
        if from.is_approved() && !to.is_approved() {
            db.revoke_certificates(id, now);
        }
        Ok(Some(agent))
    }

    async fn update_labels(
        &self,
        id: AgentId,
        changes: &AgentLabelChanges,
        now: DateTime<Utc>,
    ) -> Result<Option<Agent>, PortError> {
        let mut db = self.lock();
        let Some(row) = db.live_agent_mut(id) else {
            return Ok(None);
        };
        let agent = &mut row.stored.agent;
        if let Some(display_name) = &changes.display_name {
            agent.display_name = display_name.clone();
        }
        if let Some(tags) = &changes.tags {
            agent.tags = tags.clone();
        }
        agent.updated_at = now;
        Ok(Some(agent.clone()))
    }

    async fn delete(&self, id: AgentId, now: DateTime<Utc>) -> Result<bool, PortError> {
        let mut db = self.lock();
        let Some(row) = db.live_agent_mut(id) else {
            return Ok(false);
        };
        row.deleted_at = Some(now);
        row.stored.agent.updated_at = now;
        db.revoke_certificates(id, now);
        Ok(true)
    }

    async fn add_certificate(&self, record: &CertificateRecord) -> Result<(), PortError> {
        self.lock().certificates.push(record.clone());
        Ok(())
    }

    async fn add_renewed_certificate(
        &self,
        record: &CertificateRecord,
        presented: &CertificateSerial,
    ) -> Result<bool, PortError> {
        // One lock for the check and the insert: revocations cannot come in between.
        let mut db = self.lock();
        let valid = db.certificates.iter().any(|certificate| {
            certificate.serial == *presented
                && certificate.agent == record.agent
                && certificate.revoked_at.is_none()
        });
        if valid {
            db.certificates.push(record.clone());
        }
        Ok(valid)
    }

    async fn certificate(
        &self,
        serial: &CertificateSerial,
    ) -> Result<Option<CertificateRecord>, PortError> {
        let db = self.lock();
        Ok(db
            .certificates
            .iter()
            .find(|r| r.serial == *serial)
            .cloned())
    }

    async fn latest_certificate(
        &self,
        id: AgentId,
    ) -> Result<Option<CertificateRecord>, PortError> {
        let db = self.lock();
        Ok(db
            .certificates
            .iter()
            .filter(|record| record.agent == id && record.revoked_at.is_none())
            .max_by_key(|record| record.not_after)
            .cloned())
    }
}
