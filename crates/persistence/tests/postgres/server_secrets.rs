use secrecy::{ExposeSecret, SecretString};
use slimrmm_persistence::ServerSecrets;
use slimrmm_test_db::TestDatabase;

#[tokio::test]
async fn the_first_stored_secret_wins_for_everyone() {
    let db = TestDatabase::new();
    let secrets = ServerSecrets::new(db.pool());
    let first = SecretString::from("first-candidate".to_owned());
    let second = SecretString::from("second-candidate".to_owned());
    let other_replica = ServerSecrets::new(db.pool());
    let (a, b) = tokio::join!(
        secrets.get_or_create("jwt", &first),
        other_replica.get_or_create("jwt", &second)
    );
    assert_eq!(a.unwrap().expose_secret(), b.unwrap().expose_secret());
    let again = secrets.get_or_create("jwt", &second).await.unwrap();
    assert!(["first-candidate", "second-candidate"].contains(&again.expose_secret()));
}
