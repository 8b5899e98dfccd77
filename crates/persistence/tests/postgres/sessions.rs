use chrono::TimeDelta;
use slimrmm_domain::auth::{RevocationReason, Session, SessionId, SessionRepository};
use slimrmm_domain::retention::Purger;
use slimrmm_domain::user::{Role, UserChanges, UserRepository};
use slimrmm_persistence::{PgSessionRepository, PgUserRepository};
use slimrmm_test_db::TestDatabase;
use uuid::Uuid;

use crate::support::{create, now};

fn session(user: slimrmm_domain::user::UserId) -> Session {
    Session {
        id: SessionId(Uuid::new_v4()),
        user_id: user,
        refresh_token_id: Uuid::new_v4(),
        created_at: now(),
        expires_at: now() + TimeDelta::days(7),
        revoked_at: None,
    }
}

#[tokio::test]
async fn rotation_is_a_compare_and_swap() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let sessions = PgSessionRepository::new(db.pool());
    let jane = create(&users, "jane", Role::Viewer).await;
    let original = session(jane.id);
    sessions.create(&original).await.unwrap();

    let next = Uuid::new_v4();
    let later = now() + TimeDelta::days(8);
    assert!(
        sessions
            .rotate(original.id, original.refresh_token_id, next, later)
            .await
            .unwrap()
    );
    // The old refresh token id no longer rotates anything.
    assert!(
        !sessions
            .rotate(
                original.id,
                original.refresh_token_id,
                Uuid::new_v4(),
                later
            )
            .await
            .unwrap()
    );

    let found = sessions.find(original.id).await.unwrap().unwrap();
    assert_eq!(found.session.refresh_token_id, next);
    assert_eq!(found.session.expires_at, later);
    assert_eq!(found.user.id, jane.id);

    sessions
        .revoke(original.id, RevocationReason::Logout, now())
        .await
        .unwrap();
    assert!(
        !sessions
            .rotate(original.id, next, Uuid::new_v4(), later)
            .await
            .unwrap()
    );
    assert!(
        sessions
            .find(original.id)
            .await
            .unwrap()
            .unwrap()
            .session
            .revoked_at
            .is_some()
    );
}

#[tokio::test]
async fn revoking_all_of_a_users_sessions_can_keep_one() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let sessions = PgSessionRepository::new(db.pool());
    let jane = create(&users, "jane", Role::Viewer).await;
    let john = create(&users, "john", Role::Viewer).await;
    let (a, b, c) = (session(jane.id), session(jane.id), session(john.id));
    for s in [&a, &b, &c] {
        sessions.create(s).await.unwrap();
    }
    let ended = sessions
        .revoke_all_for_user(
            jane.id,
            Some(a.id),
            RevocationReason::PasswordChanged,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(ended, 1);
    let revoked = |id| {
        let sessions = sessions.clone();
        async move {
            sessions
                .find(id)
                .await
                .unwrap()
                .unwrap()
                .session
                .revoked_at
                .is_some()
        }
    };
    assert!(!revoked(a.id).await);
    assert!(revoked(b.id).await);
    assert!(!revoked(c.id).await);
    assert_eq!(
        sessions
            .revoke_all_for_user(jane.id, None, RevocationReason::AccountDisabled, now())
            .await
            .unwrap(),
        1
    );
    assert!(revoked(a.id).await);
}

#[tokio::test]
async fn deleting_a_user_removes_their_sessions() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let sessions = PgSessionRepository::new(db.pool());
    create(&users, "root", Role::Admin).await;
    let jane = create(&users, "jane", Role::Viewer).await;
    let s = session(jane.id);
    sessions.create(&s).await.unwrap();
    users.delete(jane.id).await.unwrap();
    assert!(sessions.find(s.id).await.unwrap().is_none());
    // Changing a user does not touch sessions by itself.
    let _ = users.update(jane.id, &UserChanges::default(), now()).await;
}

#[tokio::test]
async fn housekeeping_purges_only_what_can_no_longer_matter() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let sessions = PgSessionRepository::new(db.pool());
    let jane = create(&users, "jane", Role::Viewer).await;
    let live = session(jane.id);
    let mut long_expired = session(jane.id);
    long_expired.expires_at = now() - TimeDelta::days(2);
    let mut just_expired = session(jane.id);
    just_expired.expires_at = now() - TimeDelta::hours(1);
    let revoked_long_ago = session(jane.id);
    for s in [&live, &long_expired, &just_expired, &revoked_long_ago] {
        sessions.create(s).await.unwrap();
    }
    sessions
        .revoke(
            revoked_long_ago.id,
            RevocationReason::Logout,
            now() - TimeDelta::days(8),
        )
        .await
        .unwrap();

    let cutoffs = slimrmm_domain::retention::Retention::default().cutoffs(now());
    let purged = slimrmm_persistence::PgPurger::new(db.pool())
        .purge(&cutoffs)
        .await
        .unwrap();
    assert_eq!(purged.sessions, 2);
    assert!(sessions.find(live.id).await.unwrap().is_some());
    assert!(sessions.find(just_expired.id).await.unwrap().is_some());
    assert!(sessions.find(long_expired.id).await.unwrap().is_none());
    assert!(sessions.find(revoked_long_ago.id).await.unwrap().is_none());
}
