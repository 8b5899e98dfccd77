use chrono::TimeDelta;
use slimrmm_domain::auth::{
    NewPasswordReset, OpaqueToken, PasswordResetRepository, Session, SessionId, SessionRepository,
};
use slimrmm_domain::user::{PasswordHash, Role, UserChanges, UserRepository};
use slimrmm_persistence::{PgPasswordResetRepository, PgSessionRepository, PgUserRepository};
use slimrmm_test_db::TestDatabase;
use uuid::Uuid;

use crate::support::{create, now, reset_mail, sealer};

fn token(text: &str) -> OpaqueToken {
    OpaqueToken::parse(text).unwrap()
}

#[tokio::test]
async fn a_reset_token_works_once_sets_the_password_and_ends_sessions() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let sessions = PgSessionRepository::new(db.pool());
    let resets = PgPasswordResetRepository::new(db.pool(), sealer());
    let jane = create(&users, "jane", Role::Viewer).await;
    let session = Session {
        id: SessionId(Uuid::new_v4()),
        user_id: jane.id,
        refresh_token_id: Uuid::new_v4(),
        created_at: now(),
        expires_at: now() + TimeDelta::days(1),
        revoked_at: None,
    };
    sessions.create(&session).await.unwrap();
    let secret = token("reset-token-for-jane-0001");
    resets
        .create(
            &NewPasswordReset {
                user_id: jane.id,
                digest: secret.digest(),
                created_at: now(),
                expires_at: now() + TimeDelta::hours(1),
            },
            &reset_mail(&jane, &secret),
        )
        .await
        .unwrap();

    assert_eq!(
        resets.find_valid(&secret.digest(), now()).await.unwrap(),
        Some(jane.id)
    );
    let hash = PasswordHash::new("$argon2id$new");
    assert_eq!(
        resets
            .complete(&secret.digest(), &hash, now())
            .await
            .unwrap(),
        Some(jane.id)
    );
    let stored = users
        .find_credentials_by_id(jane.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.password_hash, hash);
    assert!(
        sessions
            .find(session.id)
            .await
            .unwrap()
            .unwrap()
            .session
            .revoked_at
            .is_some()
    );

    // Single use.
    assert_eq!(
        resets.find_valid(&secret.digest(), now()).await.unwrap(),
        None
    );
    assert_eq!(
        resets
            .complete(&secret.digest(), &hash, now())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn expired_superseded_and_inactive_users_tokens_are_invalid() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let resets = PgPasswordResetRepository::new(db.pool(), sealer());
    let jane = create(&users, "jane", Role::Viewer).await;
    let reset = |secret: &OpaqueToken, lifetime| NewPasswordReset {
        user_id: jane.id,
        digest: secret.digest(),
        created_at: now(),
        expires_at: now() + lifetime,
    };
    let first = token("first-token-000000000001");
    let second = token("second-token-00000000002");
    resets
        .create(
            &reset(&first, TimeDelta::hours(1)),
            &reset_mail(&jane, &first),
        )
        .await
        .unwrap();
    resets
        .create(
            &reset(&second, TimeDelta::hours(1)),
            &reset_mail(&jane, &second),
        )
        .await
        .unwrap();
    assert_eq!(
        resets.find_valid(&first.digest(), now()).await.unwrap(),
        None,
        "superseded"
    );
    assert_eq!(
        resets.find_valid(&second.digest(), now()).await.unwrap(),
        Some(jane.id)
    );
    let in_two_hours = now() + TimeDelta::hours(2);
    assert_eq!(
        resets
            .find_valid(&second.digest(), in_two_hours)
            .await
            .unwrap(),
        None,
        "expired"
    );

    let deactivate = UserChanges {
        is_active: Some(false),
        ..UserChanges::default()
    };
    users.update(jane.id, &deactivate, now()).await.unwrap();
    assert_eq!(
        resets.find_valid(&second.digest(), now()).await.unwrap(),
        None,
        "inactive user"
    );
}
