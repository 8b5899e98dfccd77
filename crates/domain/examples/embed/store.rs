//! Users, sessions and the audit log in memory: the three storage ports the user use cases
//! need, behind one lock, so each port method is one "transaction".

use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use slimrmm_domain::PortError;
use slimrmm_domain::audit::{AuditEntry, AuditId, AuditListQuery, AuditLog, AuditRecord};
use slimrmm_domain::auth::{
    RevocationReason, Session, SessionId, SessionRepository, SessionWithUser,
};
use slimrmm_domain::list::{ListQuery, Page, SortOrder};
use slimrmm_domain::user::{
    Email, NewUser, Role, User, UserChanges, UserCredentials, UserId, UserListQuery,
    UserRepository, UserSort, UserWriteError, Username,
};

/// The tables, behind one lock.
#[derive(Default)]
pub(crate) struct MemoryStore {
    tables: Mutex<Tables>,
}

#[derive(Default)]
struct Tables {
    users: Vec<UserCredentials>,
    sessions: Vec<Session>,
    audit: Vec<AuditEntry>,
    last_user_id: i64,
}

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `session` has been ended.
    pub(crate) fn is_revoked(&self, session: SessionId) -> bool {
        self.lock()
            .sessions
            .iter()
            .any(|row| row.id == session && row.revoked_at.is_some())
    }
}

impl Tables {
    fn user(&mut self, id: UserId) -> Result<&mut UserCredentials, UserWriteError> {
        self.users
            .iter_mut()
            .find(|row| row.user.id == id)
            .ok_or(UserWriteError::NotFound)
    }

    /// Usernames and emails are unique without regard to case, as in PostgreSQL's `citext`.
    fn conflict(
        &self,
        except: Option<UserId>,
        username: Option<&Username>,
        email: Option<&Email>,
    ) -> Result<(), UserWriteError> {
        let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
        for user in self.users.iter().map(|row| &row.user) {
            if Some(user.id) == except {
                continue;
            }
            if username.is_some_and(|name| same(user.username.as_str(), name.as_str())) {
                return Err(UserWriteError::UsernameTaken);
            }
            let taken = user.email.as_ref().map(Email::as_str);
            if let (Some(taken), Some(email)) = (taken, email)
                && same(taken, email.as_str())
            {
                return Err(UserWriteError::EmailTaken);
            }
        }
        Ok(())
    }

    /// The store keeps the last active admin, whatever a caller asks.
    fn is_last_active_admin(&self, id: UserId) -> bool {
        let mut admins = self
            .users
            .iter()
            .map(|row| &row.user)
            .filter(|user| user.role == Role::Admin && user.is_active && user.scope.is_all());
        admins.clone().any(|user| user.id == id) && admins.all(|user| user.id == id)
    }
}

/// Cuts the page a query asks for out of rows already filtered and sorted ascending.
fn page<T, S, F>(mut rows: Vec<T>, query: &ListQuery<S, F>) -> Page<T> {
    if query.sort_order == SortOrder::Desc {
        rows.reverse();
    }
    let total = rows.len() as u64;
    let skip = usize::try_from(query.page.offset()).unwrap_or(usize::MAX);
    let per_page = usize::try_from(query.page.per_page()).unwrap_or(usize::MAX);
    Page {
        items: rows.into_iter().skip(skip).take(per_page).collect(),
        total,
        request: query.page,
    }
}

#[async_trait]
impl UserRepository for MemoryStore {
    async fn create(&self, new: &NewUser) -> Result<User, UserWriteError> {
        let mut db = self.lock();
        db.conflict(None, Some(&new.username), new.email.as_ref())?;
        db.last_user_id += 1;
        let now = Utc::now();
        let user = User {
            id: UserId(db.last_user_id),
            username: new.username.clone(),
            email: new.email.clone(),
            full_name: new.full_name.clone(),
            role: new.role,
            scope: new.scope.clone(),
            service_account: new.service_account,
            is_active: new.is_active,
            created_at: now,
            updated_at: now,
            last_login_at: None,
        };
        db.users.push(UserCredentials {
            user: user.clone(),
            password_hash: new.password_hash.clone(),
        });
        Ok(user)
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, PortError> {
        let db = self.lock();
        let found = db.users.iter().find(|row| row.user.id == id);
        Ok(found.map(|row| row.user.clone()))
    }

    async fn find_credentials(
        &self,
        username: &Username,
    ) -> Result<Option<UserCredentials>, PortError> {
        let wanted = username.as_str().to_lowercase();
        let db = self.lock();
        let found = db
            .users
            .iter()
            .find(|row| row.user.username.as_str().to_lowercase() == wanted);
        Ok(found.cloned())
    }

    async fn find_credentials_by_id(
        &self,
        id: UserId,
    ) -> Result<Option<UserCredentials>, PortError> {
        Ok(self
            .lock()
            .users
            .iter()
            .find(|row| row.user.id == id)
            .cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, PortError> {
        let wanted = email.as_str().to_lowercase();
        let db = self.lock();
        let found = db.users.iter().map(|row| &row.user).find(|user| {
            let own = user.email.as_ref().map(Email::as_str);
            own.is_some_and(|own| own.to_lowercase() == wanted)
        });
        Ok(found.cloned())
    }

    async fn list(&self, query: &UserListQuery) -> Result<Page<User>, PortError> {
        let search = query
            .search
            .as_ref()
            .map(|term| term.as_str().to_lowercase());
        let mut rows: Vec<User> = self
            .lock()
            .users
            .iter()
            .map(|row| row.user.clone())
            .filter(|user| query.filter.role.is_none_or(|role| user.role == role))
            .filter(|user| query.filter.is_active.is_none_or(|on| user.is_active == on))
            .filter(|user| {
                let name = user.username.as_str().to_lowercase();
                search.as_ref().is_none_or(|term| name.contains(term))
            })
            .collect();
        match query.sort_by {
            UserSort::Username => rows.sort_by_key(|user| user.username.as_str().to_lowercase()),
            UserSort::Email => {
                rows.sort_by_key(|user| user.email.as_ref().map(|e| e.as_str().to_lowercase()));
            }
            UserSort::CreatedAt => rows.sort_by_key(|user| user.created_at),
            UserSort::LastLoginAt => rows.sort_by_key(|user| user.last_login_at),
        }
        Ok(page(rows, query))
    }

    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError> {
        let mut db = self.lock();
        let new_email = changes.email.as_ref().and_then(Option::as_ref);
        db.conflict(Some(id), changes.username.as_ref(), new_email)?;
        if changes.may_remove_admin() && db.is_last_active_admin(id) {
            return Err(UserWriteError::LastActiveAdmin);
        }
        let row = db.user(id)?;
        let user = &mut row.user;
        if let Some(username) = &changes.username {
            user.username = username.clone();
        }
        if let Some(email) = &changes.email {
            user.email = email.clone();
        }
        if let Some(full_name) = &changes.full_name {
            user.full_name = full_name.clone();
        }
        if let Some(role) = changes.role {
            user.role = role;
        }
        if let Some(scope) = &changes.scope {
            user.scope = scope.clone();
        }
        if let Some(is_active) = changes.is_active {
            user.is_active = is_active;
        }
        if let Some(hash) = &changes.password_hash {
            row.password_hash = hash.clone();
        }
        row.user.updated_at = now;
        Ok(row.user.clone())
    }

    async fn delete(&self, id: UserId) -> Result<(), UserWriteError> {
        let mut db = self.lock();
        db.user(id)?;
        if db.is_last_active_admin(id) {
            return Err(UserWriteError::LastActiveAdmin);
        }
        db.users.retain(|row| row.user.id != id);
        db.sessions.retain(|session| session.user_id != id);
        Ok(())
    }

    async fn count(&self) -> Result<u64, PortError> {
        Ok(self.lock().users.len() as u64)
    }

    async fn record_login(&self, id: UserId, at: DateTime<Utc>) -> Result<(), PortError> {
        if let Ok(row) = self.lock().user(id) {
            row.user.last_login_at = Some(at);
        }
        Ok(())
    }
}

#[async_trait]
impl SessionRepository for MemoryStore {
    async fn create(&self, session: &Session) -> Result<(), PortError> {
        self.lock().sessions.push(session.clone());
        Ok(())
    }

    async fn find(&self, id: SessionId) -> Result<Option<SessionWithUser>, PortError> {
        let db = self.lock();
        let Some(session) = db.sessions.iter().find(|session| session.id == id) else {
            return Ok(None);
        };
        let user = db.users.iter().find(|row| row.user.id == session.user_id);
        Ok(user.map(|row| SessionWithUser {
            session: session.clone(),
            user: row.user.clone(),
            // This example has no second factors.
            two_factor_active: false,
            two_factor_required: false,
        }))
    }

    async fn rotate(
        &self,
        id: SessionId,
        current: Uuid,
        next: Uuid,
        expires_at: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let mut db = self.lock();
        let Some(session) = db.sessions.iter_mut().find(|session| {
            session.id == id && session.refresh_token_id == current && session.revoked_at.is_none()
        }) else {
            return Ok(false);
        };
        session.refresh_token_id = next;
        session.expires_at = expires_at;
        Ok(true)
    }

    async fn revoke(
        &self,
        id: SessionId,
        _reason: RevocationReason,
        at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let mut db = self.lock();
        if let Some(session) = db.sessions.iter_mut().find(|session| session.id == id) {
            session.revoked_at.get_or_insert(at);
        }
        Ok(())
    }

    async fn revoke_all_for_user(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        _reason: RevocationReason,
        at: DateTime<Utc>,
    ) -> Result<u64, PortError> {
        let mut ended = 0;
        for session in &mut self.lock().sessions {
            if session.user_id == user && Some(session.id) != keep && session.revoked_at.is_none() {
                session.revoked_at = Some(at);
                ended += 1;
            }
        }
        Ok(ended)
    }
}

#[async_trait]
impl AuditLog for MemoryStore {
    async fn append(&self, record: &AuditRecord, at: DateTime<Utc>) -> Result<(), PortError> {
        let mut db = self.lock();
        let id = AuditId(i64::try_from(db.audit.len()).unwrap_or(i64::MAX) + 1);
        db.audit.push(AuditEntry {
            id,
            at,
            actor: record.actor,
            actor_name: record.actor_name.clone(),
            action: record.action.to_owned(),
            target: record.target.clone(),
            source_ip: record.source_ip,
            success: record.success,
            details: record.details.clone(),
        });
        Ok(())
    }

    async fn list(&self, query: &AuditListQuery) -> Result<Page<AuditEntry>, PortError> {
        let filter = &query.filter;
        let rows: Vec<AuditEntry> = self
            .lock()
            .audit
            .iter()
            .filter(|entry| filter.actor.is_none_or(|actor| entry.actor == Some(actor)))
            .filter(|entry| {
                filter
                    .action
                    .as_deref()
                    .is_none_or(|action| match action.strip_suffix('.') {
                        Some(family) => entry.action.starts_with(&format!("{family}.")),
                        None => entry.action == action,
                    })
            })
            .filter(|entry| {
                let target = entry.target.as_ref();
                let kind = filter.target_kind.as_deref();
                let id = filter.target_id.as_deref();
                kind.is_none_or(|kind| target.is_some_and(|target| target.kind == kind))
                    && id.is_none_or(|id| target.is_some_and(|target| target.id == id))
            })
            .filter(|entry| {
                filter
                    .success
                    .is_none_or(|success| entry.success == success)
            })
            .filter(|entry| filter.since.is_none_or(|since| entry.at >= since))
            .filter(|entry| filter.until.is_none_or(|until| entry.at < until))
            .cloned()
            .collect();
        Ok(page(rows, query))
    }
}
