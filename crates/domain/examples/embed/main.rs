//! Embedding the SlimRMM domain: the user use cases on storage written right here.
//!
//! The domain crate holds SlimRMM's rules and use cases; everything it needs from the outside
//! world is a port (a trait). The server plugs PostgreSQL and argon2 into those ports
//! (`crates/server/src/wiring.rs`); this example plugs in the three storage ports user
//! management needs ([`store::MemoryStore`]: users, sessions, the audit log) and a toy hasher,
//! then runs one flow an integrator would copy:
//!
//! 1. the first admin is created when the store is empty (the audit log names the server);
//! 2. she signs in and creates a technician (the audit log names her, and her address);
//! 3. the technician may not create users, may rename himself, may not promote himself;
//! 4. the admin deactivates him, which ends his sessions;
//! 5. the admin reads the audit log: each change above, recorded by the use case itself.
//!
//! Run it (no database, no network):
//!
//! ```text
//! cargo run -p slimrmm-domain --example embed
//! ```
//!
//! The example sees only the crate's public API, so it also shows that no adapter type leaks
//! into the domain: the services hold `Arc<dyn Port>`. Every other use case (agents,
//! scripts, policies, notifications) is wired the same way, from its ports struct.

mod hasher;
mod store;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::{TimeDelta, Utc};
use uuid::Uuid;

use slimrmm_domain::audit::{AuditListQuery, AuditService};
use slimrmm_domain::auth::{Actor, Credential, Session, SessionId, SessionRepository};
use slimrmm_domain::clock::{Clock, SystemClock};
use slimrmm_domain::tenancy::Scope;
use slimrmm_domain::user::{
    BootstrapAdmin, CreateUserError, CreateUserRequest, Email, FullName, Password, PasswordHasher,
    Role, UpdateUserRequest, UserRepository, UserService, Username,
};

use hasher::ToySha256Hasher;
use store::MemoryStore;

/// Where the admin's requests come from (the server takes it from the connection, or from a
/// trusted proxy's `X-Forwarded-For`).
const ADMIN_DESK: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // ---- Wiring: what crates/server/src/wiring.rs does, on other adapters ----
    let store = Arc::new(MemoryStore::default());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let hasher = Arc::new(ToySha256Hasher);
    let audit = AuditService::new(store.clone(), clock.clone());
    let users = UserService::new(
        store.clone(),
        store.clone(),
        hasher.clone(),
        audit.clone(),
        clock,
    );

    // ---- 1. The first admin ----
    let password = "correct horse battery staple";
    let admin = BootstrapAdmin {
        username: Username::parse("alice")?,
        email: Some(Email::parse("alice@example.com")?),
        password: Password::parse(password)?,
        password_generated: false,
    };
    let created = users
        .bootstrap_admin(admin)
        .await?
        .ok_or_else(|| anyhow!("the store already had users"))?;
    println!(
        "1. the server created the first admin '{}'",
        created.username
    );
    let alice = sign_in(store.as_ref(), hasher.as_ref(), "alice", password)
        .await?
        .from(Some(ADMIN_DESK));

    // ---- 2. A technician ----
    let bob_password = "bob's long passphrase";
    let request = CreateUserRequest {
        username: Username::parse("bob")?,
        email: Some(Email::parse("bob@example.com")?),
        full_name: None,
        role: Role::Technician,
        scope: Scope::All,
        service_account: false,
        is_active: true,
        password: Some(Password::parse(bob_password)?),
    };
    let bob_user = users.create(&alice, request.clone()).await?;
    println!(
        "2. alice created '{}' ({})",
        bob_user.username, bob_user.role
    );
    let bob = sign_in(store.as_ref(), hasher.as_ref(), "bob", bob_password).await?;

    // ---- 3. What a technician may do to users ----
    match users.create(&bob, request).await {
        Err(CreateUserError::Forbidden) => println!("3. bob may not create users"),
        other => return Err(anyhow!("a technician created a user: {other:?}")),
    }
    let rename = UpdateUserRequest {
        full_name: Some(Some(FullName::parse("Bob Builder")?)),
        ..UpdateUserRequest::default()
    };
    users.update(&bob, bob_user.id, rename).await?;
    println!("   bob renamed himself 'Bob Builder'");
    let promote = UpdateUserRequest {
        role: Some(Role::Admin),
        ..UpdateUserRequest::default()
    };
    let refused = users
        .update(&bob, bob_user.id, promote)
        .await
        .err()
        .context("a technician promoted himself")?;
    println!("   bob may not promote himself: {refused}");

    // ---- 4. Deactivation ends every session ----
    let deactivate = UpdateUserRequest {
        is_active: Some(false),
        ..UpdateUserRequest::default()
    };
    users.update(&alice, bob_user.id, deactivate).await?;
    let ended = store.is_revoked(bob.session().expect("a signed-in session"));
    println!("4. alice deactivated bob; his session ended: {ended}");
    if !ended {
        return Err(anyhow!("a deactivated user's session is still live"));
    }

    // ---- 5. The audit log, as the use cases wrote it ----
    let log = audit.list(&alice, &AuditListQuery::default()).await?;
    println!("5. the audit log ({} entries, oldest first):", log.total);
    for entry in &log.items {
        let who = entry.actor_name.as_deref().unwrap_or("?");
        let from = entry.source_ip.map_or("-".to_owned(), |ip| ip.to_string());
        let target = entry.target.as_ref().map_or(String::new(), |target| {
            format!("{} {}", target.kind, target.id)
        });
        println!(
            "   {:<12} {who:<15} from {from:<11} on {target:<7} {}",
            entry.action, entry.details
        );
    }
    let actions: Vec<&str> = log
        .items
        .iter()
        .map(|entry| entry.action.as_str())
        .collect();
    if actions != ["user.create", "user.create", "user.update", "user.update"] {
        return Err(anyhow!("unexpected audit log: {actions:?}"));
    }
    Ok(())
}

/// What `AuthService::login` does in the server, minus the tokens (which need a
/// `TokenIssuer`): check the password, open a session, act as its user.
async fn sign_in(
    store: &MemoryStore,
    hasher: &dyn PasswordHasher,
    username: &str,
    password: &str,
) -> anyhow::Result<Actor> {
    let credentials = UserRepository::find_credentials(store, &Username::parse(username)?)
        .await?
        .context("no such user")?;
    let candidate = Password::candidate(password).context("password too long")?;
    if !hasher
        .verify(&candidate, &credentials.password_hash)
        .await?
        || !credentials.user.is_active
    {
        return Err(anyhow!("{username} may not sign in"));
    }
    let now = Utc::now();
    let session = Session {
        id: SessionId(Uuid::new_v4()),
        user_id: credentials.user.id,
        refresh_token_id: Uuid::new_v4(),
        created_at: now,
        expires_at: now + TimeDelta::days(7),
        revoked_at: None,
    };
    SessionRepository::create(store, &session).await?;
    UserRepository::record_login(store, credentials.user.id, now).await?;
    Ok(Actor {
        user: credentials.user,
        credential: Credential::Session(session.id),
        source: None,
        must_enrol: false,
    })
}
