use slimrmm_domain::enrollment::{
    EnrollmentTokenFilter, EnrollmentTokenListQuery, EnrollmentTokenRepository,
};
use slimrmm_domain::user::Role;
use slimrmm_persistence::{PgEnrollmentTokenRepository, PgUserRepository};
use slimrmm_test_db::TestDatabase;

use crate::support::{create, now, token};

#[tokio::test]
async fn tokens_are_found_by_digest_listed_and_revoked_once() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let tokens = PgEnrollmentTokenRepository::new(db.pool());
    let (first, first_digest) = token(&tokens, admin.id, Some(3)).await;
    let (second, _) = token(&tokens, admin.id, None).await;
    assert_eq!(first.max_uses, Some(3));
    assert_eq!(first.tags.to_strings(), ["office"]);
    let found = tokens.find_by_digest(&first_digest).await.unwrap().unwrap();
    assert_eq!(found, first);

    let revoked_at = now();
    let revoked = tokens.revoke(second.id, revoked_at).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(revoked_at));
    let again = tokens
        .revoke(second.id, now() + chrono::TimeDelta::hours(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.revoked_at,
        Some(revoked_at),
        "the first revocation time is kept"
    );
    assert!(
        tokens
            .revoke(slimrmm_domain::enrollment::EnrollmentTokenId(999), now())
            .await
            .unwrap()
            .is_none()
    );

    let live = EnrollmentTokenListQuery {
        filter: EnrollmentTokenFilter {
            revoked: Some(false),
        },
        ..EnrollmentTokenListQuery::default()
    };
    let page = tokens.list(&live).await.unwrap();
    assert_eq!((page.total, page.items[0].id), (1, first.id));
}
