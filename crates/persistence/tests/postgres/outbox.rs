use chrono::TimeDelta;
use slimrmm_domain::auth::{NewPasswordReset, OpaqueToken, PasswordResetRepository};
use slimrmm_domain::notification::{Channel, Notification, OutboxRepository};
use slimrmm_domain::user::Role;
use slimrmm_persistence::{PgOutboxRepository, PgPasswordResetRepository, PgUserRepository};
use slimrmm_test_db::TestDatabase;

use crate::support::{create, now, reset_mail, sealer};

#[tokio::test]
async fn a_reset_mail_is_written_with_its_token_sealed_and_read_back_whole() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let jane = create(&users, "jane", Role::Viewer).await;
    let token = OpaqueToken::parse("a-secret-reset-token-000001").unwrap();
    PgPasswordResetRepository::new(db.pool(), sealer())
        .create(
            &NewPasswordReset {
                user_id: jane.id,
                digest: token.digest(),
                created_at: now(),
                expires_at: now() + TimeDelta::hours(1),
            },
            &reset_mail(&jane, &token),
        )
        .await
        .unwrap();
    let clear = db.query_i64(
        "SELECT count(*) AS value FROM notifications \
         WHERE payload::text LIKE '%a-secret-reset-token%' \
            OR position(convert_to('a-secret-reset-token', 'UTF8') in secret) > 0",
    );
    assert_eq!(clear, 0, "the token is not stored in the clear");

    let outbox = PgOutboxRepository::new(db.pool(), sealer());
    let unrouted = outbox.unrouted(10).await.unwrap();
    assert_eq!(unrouted.len(), 1);
    let Notification::PasswordReset { token: read, .. } = &unrouted[0].notification else {
        panic!("{:?}", unrouted[0]);
    };
    assert_eq!(read, &token);
    assert!(
        outbox
            .route(unrouted[0].id, &[Channel::Smtp], now())
            .await
            .unwrap()
    );
    assert!(
        !outbox
            .route(unrouted[0].id, &[Channel::Smtp], now())
            .await
            .unwrap(),
        "routed once"
    );
    let claimed = outbox
        .claim(now(), TimeDelta::minutes(1), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(
        outbox
            .claim(now(), TimeDelta::minutes(1), 10)
            .await
            .unwrap()
            .is_empty(),
        "a claimed delivery is not handed out twice"
    );
    outbox.sent(&[claimed[0].id], now()).await.unwrap();
    assert_eq!(
        db.query_i64("SELECT count(*) AS value FROM notifications WHERE secret IS NOT NULL"),
        0,
        "wiped once sent"
    );
}
