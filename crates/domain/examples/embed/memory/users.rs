//! Users and sessions, stored in the [`MemoryDb`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use slimrmm_domain::PortError;
use slimrmm_domain::auth::{
    RevocationReason, Session, SessionId, SessionRepository, SessionWithUser,
};
use slimrmm_domain::list::Page;
use slimrmm_domain::user::{
    Email, FullName, NewUser, User, UserChanges, UserCredentials, UserId, UserListQuery,
    UserRepository, UserSort, UserWriteError, Username,
};

use super::{MemoryDb, found, maybe_time, next, paginate, same_text, text, time};

#[async_trait]
impl UserRepository for MemoryDb {
    async fn create(&self, new: &NewUser) -> Result<User, UserWriteError> {
        let mut db = self.lock();
        db.user_conflict(None, Some(&new.username), new.email.as_ref())?;
        let now = Utc::now();
        let user = User {
            id: UserId(next(&mut db.ids.users)),
            username: new.username.clone(),
            email: new.email.clone(),
            full_name: new.full_name.clone(),
            role: new.role,
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
        Ok(db
            .users
            .iter()
            .map(|row| &row.user)
            .find(|user| user.id == id)
            .cloned())
    }

    async fn find_credentials(
        &self,
        username: &Username,
    ) -> Result<Option<UserCredentials>, PortError> {
        let db = self.lock();
        Ok(db
            .users
            .iter()
            .find(|row| same_text(row.user.username.as_str(), username.as_str()))
            .cloned())
    }

    async fn find_credentials_by_id(
        &self,
        id: UserId,
    ) -> Result<Option<UserCredentials>, PortError> {
        let db = self.lock();
        Ok(db.users.iter().find(|row| row.user.id == id).cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<User>, PortError> {
        let db = self.lock();
        Ok(db
            .users
            .iter()
            .map(|row| &row.user)
            .find(|user| {
                user.email
                    .as_ref()
                    .is_some_and(|own| same_text(own.as_str(), email.as_str()))
            })
            .cloned())
    }

    async fn list(&self, query: &UserListQuery) -> Result<Page<User>, PortError> {
        let db = self.lock();
        let rows = db
            .users
            .iter()
            .map(|row| row.user.clone())
            .filter(|user| query.filter.role.is_none_or(|role| user.role == role))
            .filter(|user| query.filter.is_active.is_none_or(|a| user.is_active == a))
            .filter(|user| {
                let email = user.email.as_ref().map_or("", Email::as_str);
                let name = user.full_name.as_ref().map_or("", FullName::as_str);
                found(
                    query.search.as_ref(),
                    &[user.username.as_str(), email, name],
                )
            })
            .collect();
        Ok(paginate(rows, query, |user, sort| match sort {
            UserSort::Username => text(user.username.as_str()),
            UserSort::Email => text(user.email.as_ref().map_or("", Email::as_str)),
            UserSort::CreatedAt => time(user.created_at),
            UserSort::LastLoginAt => maybe_time(user.last_login_at),
        }))
    }

    async fn update(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> Result<User, UserWriteError> {
        let mut db = self.lock();
        let new_email = changes.email.as_ref().and_then(Option::as_ref);
        db.user_conflict(Some(id), changes.username.as_ref(), new_email)?;
        if !db.users.iter().any(|row| row.user.id == id) {
            return Err(UserWriteError::NotFound);
        }
        if changes.may_remove_admin() && db.is_last_active_admin(id) {
            return Err(UserWriteError::LastActiveAdmin);
        }
        let row = db
            .users
            .iter_mut()
            .find(|row| row.user.id == id)
            .ok_or(UserWriteError::NotFound)?;
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
        if !db.users.iter().any(|row| row.user.id == id) {
            return Err(UserWriteError::NotFound);
        }
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
        let mut db = self.lock();
        if let Some(row) = db.users.iter_mut().find(|row| row.user.id == id) {
            row.user.last_login_at = Some(at);
        }
        Ok(())
    }
}

#[async_trait]
impl SessionRepository for MemoryDb {
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
        let mut db = self.lock();
        let mut ended = 0;
        for session in &mut db.sessions {
            if session.user_id == user && Some(session.id) != keep && session.revoked_at.is_none() {
                session.revoked_at = Some(at);
                ended += 1;
            }
        }
        Ok(ended)
    }
}
