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
