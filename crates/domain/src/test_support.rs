//! Fixtures for the domain's own unit tests.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;

use crate::auth::{
    Actor, AuthPorts, AuthService, AuthSettings, MockPasswordResetRepository, MockSecretGenerator,
    MockSessionRepository, MockTokenIssuer, Session, SessionId, SessionWithUser, TokenClaims,
    TokenKind,
};
use crate::clock::MockClock;
use crate::notification::MockNotifier;
use crate::user::{
    MockPasswordHasher, MockUserRepository, PasswordHash, Role, User, UserCredentials, UserId,
    UserService, Username,
};

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap()
}

const SESSION: Uuid = Uuid::from_u128(0x5e55_1011);

/// One mock per port; tests set the expectations they need, then build a service.
pub(crate) struct Ports {
    pub users: MockUserRepository,
    pub sessions: MockSessionRepository,
    pub resets: MockPasswordResetRepository,
    pub hasher: MockPasswordHasher,
    pub tokens: MockTokenIssuer,
    pub secrets: MockSecretGenerator,
    pub notifier: MockNotifier,
}

pub(crate) fn services() -> Ports {
    Ports {
        users: MockUserRepository::new(),
        sessions: MockSessionRepository::new(),
        resets: MockPasswordResetRepository::new(),
        hasher: MockPasswordHasher::plain(),
        tokens: MockTokenIssuer::new(),
        secrets: MockSecretGenerator::new(),
        notifier: MockNotifier::new(),
    }
}

impl Ports {
    pub fn user_service(self) -> UserService {
        UserService::new(
            Arc::new(self.users),
            Arc::new(self.sessions),
            Arc::new(self.hasher),
            Arc::new(MockClock::fixed(t0())),
        )
    }

    pub fn auth_service(self) -> AuthService {
        let ports = AuthPorts {
            users: Arc::new(self.users),
            sessions: Arc::new(self.sessions),
            resets: Arc::new(self.resets),
            hasher: Arc::new(self.hasher),
            tokens: Arc::new(self.tokens),
            secrets: Arc::new(self.secrets),
            notifier: Arc::new(self.notifier),
            clock: Arc::new(MockClock::fixed(t0())),
        };
        AuthService::new(ports, AuthSettings::default())
    }
}

pub(crate) fn fixture_user(id: i64, username: &str, role: Role) -> User {
    User {
        id: UserId(id),
        username: Username::parse(username).unwrap(),
        email: None,
        full_name: None,
        role,
        is_active: true,
        created_at: t0(),
        updated_at: t0(),
        last_login_at: None,
    }
}

pub(crate) fn credentials(id: i64, username: &str, role: Role, password: &str) -> UserCredentials {
    UserCredentials {
        user: fixture_user(id, username, role),
        password_hash: PasswordHash::new(format!("hashed:{password}")),
    }
}

pub(crate) fn actor(id: i64, role: Role) -> Actor {
    Actor {
        user: fixture_user(id, "actor", role),
        session_id: SessionId(Uuid::new_v4()),
    }
}

pub(crate) fn claims(kind: TokenKind) -> TokenClaims {
    TokenClaims {
        token_id: Uuid::new_v4(),
        session_id: SessionId(SESSION),
        user_id: UserId(3),
        kind,
        issued_at: t0(),
        expires_at: t0() + chrono::TimeDelta::minutes(15),
    }
}

pub(crate) fn live_session(role: Role) -> SessionWithUser {
    SessionWithUser {
        session: Session {
            id: SessionId(SESSION),
            user_id: UserId(3),
            refresh_token_id: Uuid::new_v4(),
            created_at: t0(),
            expires_at: t0() + chrono::TimeDelta::days(7),
            revoked_at: None,
        },
        user: fixture_user(3, "jane", role),
    }
}
