use secrecy::{ExposeSecret, SecretString};
use slimrmm_persistence::{Database, PoolSettings, ensure_database_exists, run_migrations};
use slimrmm_test_db::TestDatabase;

#[tokio::test]
async fn a_missing_database_is_created_and_migrating_twice_is_harmless() {
    // Borrow the test server's address; use a database name nobody has.
    let scratch = TestDatabase::new();
    let mut url = url::Url::parse(scratch.url().expose_secret()).unwrap();
    let name = format!("slimrmm_test_{}_created", uuid::Uuid::new_v4().simple());
    url.set_path(&format!("/{name}"));
    let url = SecretString::from(url.to_string());

    ensure_database_exists(&url).await.unwrap();
    ensure_database_exists(&url).await.unwrap();
    assert!(run_migrations(&url).await.unwrap() > 0);
    assert_eq!(run_migrations(&url).await.unwrap(), 0);
    let db = Database::connect(&url, PoolSettings::default()).unwrap();
    drop(db);

    // Clean up through the scratch database's server.
    let mut admin = url::Url::parse(scratch.url().expose_secret()).unwrap();
    admin.set_path("/postgres");
    use diesel_async::{AsyncConnection, RunQueryDsl};
    let mut conn = diesel_async::AsyncPgConnection::establish(admin.as_str())
        .await
        .unwrap();
    diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
}
