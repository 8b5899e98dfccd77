//! The audit log: who did what, to what, from where, and whether it worked. Entries are
//! written by the use cases that change things, through [`AuditService::record`], once the
//! change is made; the caller's address comes with the [`Actor`] (the edge sets it). They
//! never hold secrets or passwords: `details` is built field by field, never copied from a
//! request.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::PortError;
use crate::auth::{Actor, Capability};
use crate::clock::{Clock, OUT_OF_RANGE};
use crate::list::{ListQuery, Page};
use crate::user::{User, UserId};

/// An entry's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AuditId(pub i64);

impl fmt::Display for AuditId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What an entry is about: a kind (`user`, `agent`, `script`, ...) and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTarget {
    /// The kind of thing.
    pub kind: String,
    /// Its id, as text.
    pub id: String,
}

/// One recorded action.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Its id (increasing).
    pub id: AuditId,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The user who acted, if one was signed in (a failed login has none).
    pub actor: Option<UserId>,
    /// Their user name then, or the name a failed login tried.
    pub actor_name: Option<String>,
    /// What was done, dotted: `auth.login`, `user.update`, `agent.command`, ...
    pub action: String,
    /// What it was done to.
    pub target: Option<AuditTarget>,
    /// The client's address.
    pub source_ip: Option<IpAddr>,
    /// Whether it worked.
    pub success: bool,
    /// The facts of the action (never secrets).
    pub details: Value,
}

/// The name entries made by the server itself carry.
pub const SYSTEM_ACTOR: &str = "slimrmm-server";

/// An entry to record, built with [`AuditRecord::by`], [`AuditRecord::anonymous`] or
/// [`AuditRecord::system`].
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    /// The user who acted.
    pub actor: Option<UserId>,
    /// Their name, or the name tried.
    pub actor_name: Option<String>,
    /// What was done.
    pub action: &'static str,
    /// What it was done to.
    pub target: Option<AuditTarget>,
    /// The client's address.
    pub source_ip: Option<IpAddr>,
    /// Whether it worked.
    pub success: bool,
    /// The facts (never secrets).
    pub details: Value,
    /// The API key the actor used, if they used one (stored in the details as `api_key_id`).
    pub api_key: Option<crate::apikey::ApiKeyId>,
}

impl AuditRecord {
    /// `actor` did `action` from where they are, successfully unless
    /// [`failed`](Self::failed) says otherwise.
    pub fn by(actor: &Actor, action: &'static str) -> Self {
        let mut record = Self::by_user(&actor.user, action).from(actor.source);
        if let crate::auth::Credential::ApiKey(key) = actor.credential {
            record.api_key = Some(key);
        }
        record
    }

    /// `user` did `action` (a sign-in, before there is an [`Actor`]).
    pub fn by_user(user: &User, action: &'static str) -> Self {
        Self {
            actor: Some(user.id),
            actor_name: Some(user.username.as_str().to_owned()),
            action,
            target: None,
            source_ip: None,
            success: true,
            details: Value::Null,
            api_key: None,
        }
    }

    /// Someone not (yet) signed in did `action`; `name` is who they claimed to be.
    pub fn anonymous(action: &'static str, name: Option<&str>) -> Self {
        Self {
            actor: None,
            actor_name: name.map(|name| name.chars().take(128).collect()),
            action,
            target: None,
            source_ip: None,
            success: true,
            details: Value::Null,
            api_key: None,
        }
    }

    /// The server itself did `action` for whoever runs it: its command line (`slimrmm-server
    /// user create`) or its start-up (the first admin).
    pub fn system(action: &'static str) -> Self {
        Self {
            actor: None,
            actor_name: Some(SYSTEM_ACTOR.to_owned()),
            action,
            target: None,
            source_ip: None,
            success: true,
            details: Value::Null,
            api_key: None,
        }
    }

    /// The record with every text made storable (a U+0000 in a name someone tried would
    /// otherwise make the entry impossible to write).
    fn storable(mut self) -> Self {
        use crate::protocol::{storable, storable_text};
        self.actor_name = self.actor_name.map(storable_text);
        self.target = self.target.map(|target| AuditTarget {
            kind: storable_text(target.kind),
            id: storable_text(target.id),
        });
        self.details = storable(self.details);
        self
    }

    /// On `kind` `id`.
    pub fn target(mut self, kind: &str, id: impl fmt::Display) -> Self {
        self.target = Some(AuditTarget {
            kind: kind.to_owned(),
            id: id.to_string(),
        });
        self
    }

    /// From `ip`.
    pub fn from(mut self, ip: Option<IpAddr>) -> Self {
        self.source_ip = ip;
        self
    }

    /// It did not work.
    pub fn failed(mut self) -> Self {
        self.success = false;
        self
    }

    /// With these facts.
    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }
}

crate::sort_key! {
    /// The fields the audit log can be sorted by.
    pub enum AuditSort default At {
        /// When it happened.
        At => "at",
    }
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this user's actions.
    pub actor: Option<UserId>,
    /// Only this action (`user.update`), or a family of them (`user.` matches every action
    /// starting with it).
    pub action: Option<String>,
    /// Only actions on this kind of thing.
    pub target_kind: Option<String>,
    /// Only actions on the thing with this id.
    pub target_id: Option<String>,
    /// Only successes (`true`) or failures (`false`).
    pub success: Option<bool>,
    /// From this time on.
    pub since: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
}

/// A request for one page of the audit log.
pub type AuditListQuery = ListQuery<AuditSort, AuditFilter>;

/// Where the audit log is kept (append-only).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends an entry.
    async fn append(&self, record: &AuditRecord, at: DateTime<Utc>) -> Result<(), PortError>;

    /// One page of entries.
    async fn list(&self, query: &AuditListQuery) -> Result<Page<AuditEntry>, PortError>;
}

/// Why the audit log could not be read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Only admins read the audit log.
    #[error("only admins may read the audit log")]
    Forbidden,
    /// `since` is not before `until`.
    #[error("since must be before until")]
    InvalidRange,
    /// `since` or `until` is outside the years 1970 to 9999.
    #[error("{0} {OUT_OF_RANGE}")]
    OutOfRange(&'static str),
    /// A port failed.
    #[error(transparent)]
    Port(#[from] PortError),
}

/// Recording and reading the audit log.
#[derive(Clone)]
pub struct AuditService {
    log: Arc<dyn AuditLog>,
    clock: Arc<dyn Clock>,
}

impl AuditService {
    /// Builds the service.
    pub fn new(log: Arc<dyn AuditLog>, clock: Arc<dyn Clock>) -> Self {
        Self { log, clock }
    }

    /// Records `record` now. A failure to record is logged, not returned: the action it
    /// describes has already happened and its answer must not change.
    pub async fn record(&self, record: AuditRecord) {
        let mut record = record.storable();
        if let Some(key) = record.api_key {
            match &mut record.details {
                Value::Object(details) => {
                    details.insert("api_key_id".into(), Value::from(key.0));
                }
                details => *details = serde_json::json!({ "api_key_id": key.0 }),
            }
        }
        if let Err(error) = self.log.append(&record, self.clock.now()).await {
            tracing::error!(action = record.action, error = ?error, "an audit entry could not be written");
        }
    }

    /// One page of the audit log (admins only).
    pub async fn list(
        &self,
        actor: &Actor,
        query: &AuditListQuery,
    ) -> Result<Page<AuditEntry>, AuditError> {
        if !actor.can_globally(Capability::Administer) {
            return Err(AuditError::Forbidden);
        }
        for (name, bound) in [("since", query.filter.since), ("until", query.filter.until)] {
            if !bound.is_none_or(crate::clock::in_range) {
                return Err(AuditError::OutOfRange(name));
            }
        }
        if let (Some(since), Some(until)) = (query.filter.since, query.filter.until)
            && since >= until
        {
            return Err(AuditError::InvalidRange);
        }
        Ok(self.log.list(query).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MockClock;
    use crate::fixtures::{actor, t0};
    use crate::user::Role;

    fn service(log: MockAuditLog) -> AuditService {
        AuditService::new(Arc::new(log), Arc::new(MockClock::fixed(t0())))
    }

    #[tokio::test]
    async fn records_are_stamped_now_and_a_failing_log_does_not_fail_the_caller() {
        let mut log = MockAuditLog::new();
        log.expect_append()
            .withf(|record, at| {
                record.action == "user.create"
                    && record.actor_name.as_deref() == Some("actor")
                    && record.target.as_ref().is_some_and(|t| t.id == "7")
                    && *at == t0()
            })
            .times(1)
            .returning(|_, _| Err(PortError::Unavailable(anyhow::anyhow!("down"))));
        let record = AuditRecord::by(&actor(1, Role::Admin), "user.create").target("user", 7);
        service(log).record(record).await;
    }

    #[tokio::test]
    async fn only_admins_read_and_ranges_must_be_ordered() {
        let mut log = MockAuditLog::new();
        log.expect_list().returning(|query| {
            Ok(Page {
                items: Vec::new(),
                total: 0,
                request: query.page,
            })
        });
        let audit = service(log);
        let query = AuditListQuery::default();
        assert!(audit.list(&actor(1, Role::Admin), &query).await.is_ok());
        assert!(matches!(
            audit.list(&actor(2, Role::Technician), &query).await,
            Err(AuditError::Forbidden)
        ));
        let mut backwards = AuditListQuery::default();
        backwards.filter.since = Some(t0());
        backwards.filter.until = Some(t0());
        assert!(matches!(
            audit.list(&actor(1, Role::Admin), &backwards).await,
            Err(AuditError::InvalidRange)
        ));
    }

    #[test]
    fn anonymous_names_are_bounded() {
        let record = AuditRecord::anonymous("auth.login", Some(&"x".repeat(500))).failed();
        assert_eq!(record.actor_name.map(|name| name.len()), Some(128));
        assert!(!record.success);
    }
}
