use chrono::{DateTime, SubsecRound, Utc};
use slimrmm_domain::user::{Email, NewUser, PasswordHash, Role, User, UserRepository, Username};
use slimrmm_persistence::PgUserRepository;

pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn new_user(username: &str, email: Option<&str>, role: Role) -> NewUser {
    NewUser {
        username: Username::parse(username).unwrap(),
        email: email.map(|email| Email::parse(email).unwrap()),
        full_name: None,
        role,
        scope: slimrmm_domain::tenancy::Scope::All,
        service_account: false,
        is_active: true,
        password_hash: PasswordHash::new("$argon2id$fake"),
    }
}

pub async fn create(users: &PgUserRepository, username: &str, role: Role) -> User {
    let email = format!("{username}@example.com");
    users
        .create(&new_user(username, Some(&email), role))
        .await
        .unwrap()
}

use slimrmm_domain::agent::{
    AgentFacts, AgentId, AgentOs, AgentSecrets, AgentStatus, AgentVersion, Arch, Hostname,
    NewAgent, Tags,
};
use slimrmm_domain::auth::TokenDigest;
use slimrmm_domain::enrollment::{
    EnrollmentToken, EnrollmentTokenRepository, NewEnrollmentToken, TokenName,
};
use slimrmm_persistence::PgEnrollmentTokenRepository;

pub async fn token(
    tokens: &PgEnrollmentTokenRepository,
    creator: slimrmm_domain::user::UserId,
    max_uses: Option<u32>,
) -> (EnrollmentToken, TokenDigest) {
    let new = NewEnrollmentToken {
        name: TokenName::parse("office").unwrap(),
        digest: TokenDigest(
            *uuid::Uuid::new_v4()
                .as_bytes()
                .repeat(2)
                .first_chunk()
                .unwrap(),
        ),
        auto_approve: false,
        tags: Tags::parse(&["office"]).unwrap(),
        // The `Default` site the migrations make in a fresh database.
        site: slimrmm_domain::tenancy::SiteId(1),
        max_uses,
        expires_at: None,
        created_by: creator,
    };
    (tokens.create(&new, now()).await.unwrap(), new.digest)
}

pub fn facts(hostname: &str, os: AgentOs) -> AgentFacts {
    AgentFacts {
        hostname: Hostname::parse(hostname).unwrap(),
        os,
        arch: Arch::parse("x86_64").unwrap(),
        agent_version: AgentVersion::parse("2.3.14").unwrap(),
    }
}

pub fn new_agent(token: &EnrollmentToken, hostname: &str, status: AgentStatus) -> NewAgent {
    NewAgent {
        id: AgentId(uuid::Uuid::new_v4()),
        facts: facts(hostname, AgentOs::Linux),
        tags: token.tags.clone(),
        status,
        secrets: AgentSecrets {
            registration_token: TokenDigest([1; 32]),
            reregistration_secret: TokenDigest([2; 32]),
        },
        enrollment_token: token.id,
        site: token.site,
    }
}

/// The master key every test seals with.
pub fn sealer() -> std::sync::Arc<dyn slimrmm_domain::sealer::SecretSealer> {
    std::sync::Arc::new(slimrmm_crypto::MasterKey::from_encoded(&"42".repeat(32)).unwrap())
}

/// The reset mail for `user` carrying `token`.
pub fn reset_mail(
    user: &User,
    token: &slimrmm_domain::auth::OpaqueToken,
) -> slimrmm_domain::notification::Notification {
    slimrmm_domain::notification::Notification::PasswordReset {
        user_id: user.id,
        username: user.username.clone(),
        email: user.email.clone().unwrap(),
        token: token.clone(),
        expires_at: now(),
    }
}
