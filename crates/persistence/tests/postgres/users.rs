use slimrmm_domain::list::{PageRequest, SearchTerm, SortOrder};
use slimrmm_domain::user::{
    Email, FullName, Role, UserChanges, UserFilter, UserListQuery, UserRepository, UserSort,
    UserWriteError, Username,
};
use slimrmm_persistence::PgUserRepository;
use slimrmm_test_db::TestDatabase;

use crate::support::{create, new_user, now};

#[tokio::test]
async fn usernames_and_emails_are_unique_without_regard_to_case() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    users
        .create(&new_user("Jane", Some("Jane@Example.com"), Role::Viewer))
        .await
        .unwrap();

    let same_name = users
        .create(&new_user("jANE", Some("other@example.com"), Role::Viewer))
        .await;
    assert!(matches!(same_name, Err(UserWriteError::UsernameTaken)));
    let same_email = users
        .create(&new_user("john", Some("jane@example.COM"), Role::Viewer))
        .await;
    assert!(matches!(same_email, Err(UserWriteError::EmailTaken)));
    // Several users may have no email at all.
    users
        .create(&new_user("nomail1", None, Role::Viewer))
        .await
        .unwrap();
    users
        .create(&new_user("nomail2", None, Role::Viewer))
        .await
        .unwrap();

    let found = users
        .find_credentials(&Username::parse("JANE").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.user.username.as_str(), "Jane");
    assert_eq!(found.password_hash.as_str(), "$argon2id$fake");
    let by_email = users
        .find_by_email(&Email::parse("JANE@example.com").unwrap())
        .await
        .unwrap();
    assert_eq!(by_email.map(|user| user.id), Some(found.user.id));
}

#[tokio::test]
async fn updates_apply_only_the_given_fields_and_can_clear_optional_ones() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let jane = create(&users, "jane", Role::Viewer).await;
    let at = now();
    let changes = UserChanges {
        full_name: Some(Some(FullName::parse("Jane Doe").unwrap())),
        email: Some(None),
        ..UserChanges::default()
    };
    let updated = users.update(jane.id, &changes, at).await.unwrap();
    assert_eq!(updated.full_name.unwrap().as_str(), "Jane Doe");
    assert_eq!(updated.email, None);
    assert_eq!(updated.username, jane.username);
    assert_eq!(updated.updated_at, at);

    let missing = users
        .update(slimrmm_domain::user::UserId(999_999), &changes, at)
        .await;
    assert!(matches!(missing, Err(UserWriteError::NotFound)));
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_deactivated_or_deleted() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let root = create(&users, "root", Role::Admin).await;
    let demote = UserChanges {
        role: Some(Role::Technician),
        ..UserChanges::default()
    };
    let deactivate = UserChanges {
        is_active: Some(false),
        ..UserChanges::default()
    };
    assert!(matches!(
        users.update(root.id, &demote, now()).await,
        Err(UserWriteError::LastActiveAdmin)
    ));
    assert!(matches!(
        users.update(root.id, &deactivate, now()).await,
        Err(UserWriteError::LastActiveAdmin)
    ));
    assert!(matches!(
        users.delete(root.id).await,
        Err(UserWriteError::LastActiveAdmin)
    ));
    // Nothing changed.
    assert_eq!(
        users.find(root.id).await.unwrap().unwrap().role,
        Role::Admin
    );

    // With a second admin, one of them may go.
    let second = create(&users, "second", Role::Admin).await;
    users.update(root.id, &demote, now()).await.unwrap();
    assert!(matches!(
        users.delete(second.id).await,
        Err(UserWriteError::LastActiveAdmin)
    ));
    // Users who are not admins come and go freely.
    let viewer = create(&users, "viewer", Role::Viewer).await;
    users.update(viewer.id, &deactivate, now()).await.unwrap();
    users.delete(viewer.id).await.unwrap();
}

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_cannot_both_succeed() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    let a = create(&users, "admin-a", Role::Admin).await;
    let b = create(&users, "admin-b", Role::Admin).await;
    let demote = UserChanges {
        role: Some(Role::Viewer),
        ..UserChanges::default()
    };
    for _ in 0..10 {
        let (first, second) = tokio::join!(
            users.update(a.id, &demote, now()),
            users.update(b.id, &demote, now())
        );
        assert!(
            first.is_ok() != second.is_ok(),
            "exactly one demotion must win"
        );
        // Restore both admins for the next round.
        let promote = UserChanges {
            role: Some(Role::Admin),
            ..UserChanges::default()
        };
        users.update(a.id, &promote, now()).await.unwrap();
        users.update(b.id, &promote, now()).await.unwrap();
    }
}

#[tokio::test]
async fn lists_filter_search_sort_and_page() {
    let db = TestDatabase::new();
    let users = PgUserRepository::new(db.pool());
    for i in 0..25 {
        let role = if i % 5 == 0 {
            Role::Admin
        } else {
            Role::Technician
        };
        create(&users, &format!("user{i:02}"), role).await;
    }
    let literal = create(&users, "literal", Role::Viewer).await;
    let name = UserChanges {
        full_name: Some(Some(FullName::parse("50%_off").unwrap())),
        ..UserChanges::default()
    };
    users.update(literal.id, &name, now()).await.unwrap();

    let query = UserListQuery {
        page: PageRequest::new(2, 10).unwrap(),
        ..UserListQuery::default()
    };
    let page = users.list(&query).await.unwrap();
    assert_eq!((page.total, page.pages(), page.items.len()), (26, 3, 10));
    assert_eq!(page.items[0].username.as_str(), "user09");
    assert_eq!(page.items[9].username.as_str(), "user18");

    let admins = UserListQuery {
        filter: UserFilter {
            role: Some(Role::Admin),
            is_active: Some(true),
        },
        sort_by: UserSort::Username,
        sort_order: SortOrder::Desc,
        ..UserListQuery::default()
    };
    let page = users.list(&admins).await.unwrap();
    let names: Vec<_> = page
        .items
        .iter()
        .map(|user| user.username.as_str())
        .collect();
    assert_eq!(names, ["user20", "user15", "user10", "user05", "user00"]);

    let search = |term: &str| UserListQuery {
        search: SearchTerm::parse(term).unwrap(),
        ..UserListQuery::default()
    };
    assert_eq!(users.list(&search("USER1")).await.unwrap().total, 10);
    assert_eq!(users.list(&search("50%_OFF")).await.unwrap().total, 1);
    assert_eq!(users.list(&search("EXAMPLE.com")).await.unwrap().total, 26);
    // Wildcards in the term are literal: only the user with "%_" in its full name matches.
    assert_eq!(users.list(&search("%_")).await.unwrap().total, 1);

    let never_logged_in_last = UserListQuery {
        sort_by: UserSort::LastLoginAt,
        sort_order: SortOrder::Desc,
        ..UserListQuery::default()
    };
    let logged_in = users.list(&UserListQuery::default()).await.unwrap().items[3].id;
    users.record_login(logged_in, now()).await.unwrap();
    let page = users.list(&never_logged_in_last).await.unwrap();
    assert_eq!(page.items[0].id, logged_in);
}
