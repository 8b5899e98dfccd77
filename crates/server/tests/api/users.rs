//! User management and the role rules around it.

use actix_web::http::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, spawn};

#[actix_web::test]
async fn admins_create_read_update_and_delete_users() {
    let app = spawn().await;
    let admin = app.admin().await;
    let body = json!({
        "username": "Jane.Doe",
        "email": "jane@example.com",
        "full_name": "Jane Doe",
        "role": "technician",
        "password": PASSWORD,
    });
    let created = app.post("/api/v1/users/", Some(&admin), body).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let jane = created.data().clone();
    assert_eq!(
        (jane["username"].as_str(), jane["role"].as_str()),
        (Some("Jane.Doe"), Some("technician"))
    );
    assert_eq!(
        (jane["is_active"].as_bool(), jane["last_login_at"].is_null()),
        (Some(true), true)
    );
    let id = jane["id"].as_i64().unwrap();

    let read = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(read.data(), &jane);

    let updated = app
        .put(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"role": "viewer", "full_name": null}),
        )
        .await;
    assert_eq!(
        (
            updated.data()["role"].as_str(),
            updated.data()["full_name"].is_null()
        ),
        (Some("viewer"), true)
    );
    assert_eq!(
        updated.data()["email"],
        "jane@example.com",
        "absent fields are kept"
    );

    let deleted = app.delete(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(deleted.status, StatusCode::OK);
    let gone = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(
        (gone.status, gone.code()),
        (StatusCode::NOT_FOUND, "NOT_FOUND")
    );
    let again = app.delete(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn taken_usernames_and_emails_conflict_without_regard_to_case() {
    let app = spawn().await;
    let admin = app.admin().await;
    app.create_user(&admin, "jane", "viewer").await;
    let same_name = json!({"username": "JANE", "email": "other@example.com", "password": PASSWORD});
    let reply = app.post("/api/v1/users", Some(&admin), same_name).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::CONFLICT, "USERNAME_TAKEN")
    );
    let same_email =
        json!({"username": "janet", "email": "Jane@Example.com", "password": PASSWORD});
    let reply = app.post("/api/v1/users", Some(&admin), same_email).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::CONFLICT, "EMAIL_TAKEN")
    );

    let john = app.create_user(&admin, "john", "viewer").await;
    let reply = app
        .put(
            &format!("/api/v1/users/{john}"),
            &admin,
            json!({"username": "Jane"}),
        )
        .await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::CONFLICT, "USERNAME_TAKEN")
    );
}

#[actix_web::test]
async fn every_invalid_field_is_reported() {
    let app = spawn().await;
    let admin = app.admin().await;
    let body = json!({"username": "a b", "email": "nope", "password": "short", "full_name": "   "});
    let reply = app.post("/api/v1/users", Some(&admin), body).await;
    assert_eq!(
        reply.fields(),
        ["email", "full_name", "password", "username"]
    );
    let body =
        json!({"username": "jane", "email": "j@example.com", "password": PASSWORD, "role": "root"});
    assert_eq!(
        app.post("/api/v1/users", Some(&admin), body).await.fields(),
        ["role"]
    );
}

#[actix_web::test]
async fn only_admins_manage_users() {
    let app = spawn().await;
    let (_, technician) = app.user_with_role("tech", "technician").await;
    let (viewer_id, viewer) = app.user_with_role("view", "viewer").await;
    let body = json!({"username": "sneaky", "email": "s@example.com", "password": PASSWORD});
    let reply = app.post("/api/v1/users", Some(&technician), body).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::FORBIDDEN, "FORBIDDEN")
    );
    assert_eq!(
        app.get("/api/v1/users", &viewer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.delete(&format!("/api/v1/users/{viewer_id}"), &technician)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/users/1", &viewer).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.put(
            "/api/v1/users/1",
            &technician,
            json!({"full_name": "Hacked"})
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn users_read_and_edit_their_own_profile_but_not_their_role() {
    let app = spawn().await;
    let (id, viewer) = app.user_with_role("view", "viewer").await;
    let me = format!("/api/v1/users/{id}");
    assert_eq!(app.get(&me, &viewer).await.data()["username"], "view");
    let reply = app
        .put(
            &me,
            &viewer,
            json!({"full_name": "Vera Viewer", "email": "vera@example.com"}),
        )
        .await;
    assert_eq!(reply.data()["full_name"], "Vera Viewer");
    for forbidden in [
        json!({"role": "admin"}),
        json!({"is_active": false}),
        json!({"username": "vera"}),
    ] {
        let reply = app.put(&me, &viewer, forbidden).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "FORBIDDEN")
        );
    }
    assert_eq!(app.get(&me, &viewer).await.data()["role"], "viewer");
}

#[actix_web::test]
async fn changing_your_own_password_needs_the_current_one_and_ends_your_other_sessions() {
    let app = spawn().await;
    let (id, here) = app.user_with_role("jane", "viewer").await;
    let elsewhere = app.login("jane", PASSWORD).await;
    let me = format!("/api/v1/users/{id}");
    let new = "my brand new password";
    let reply = app.put(&me, &here, json!({"password": new})).await;
    assert_eq!(reply.fields(), ["current_password"]);
    let reply = app
        .put(
            &me,
            &here,
            json!({"password": new, "current_password": "wrong guess"}),
        )
        .await;
    assert_eq!(reply.fields(), ["current_password"]);
    let reply = app
        .put(
            &me,
            &here,
            json!({"password": new, "current_password": PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    assert_eq!(
        app.me(&here).await.status,
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(app.me(&elsewhere.access).await.code(), "TOKEN_REVOKED");
    app.login("jane", new).await;
    assert_eq!(
        app.try_login("jane", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn an_admin_resetting_a_password_ends_all_of_that_users_sessions() {
    let app = spawn().await;
    let admin = app.admin().await;
    let (id, jane) = app.user_with_role("jane", "viewer").await;
    let reply = app
        .put(
            &format!("/api/v1/users/{id}"),
            &admin,
            json!({"password": "set by the admin"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(app.me(&jane).await.code(), "TOKEN_REVOKED");
    app.login("jane", "set by the admin").await;
}

#[actix_web::test]
async fn the_last_active_admin_stays_and_nobody_deletes_themselves() {
    let app = spawn().await;
    let admin = app.admin().await;
    let reply = app.delete("/api/v1/users/1", &admin).await;
    assert_eq!(
        (reply.status, reply.code()),
        (StatusCode::CONFLICT, "CANNOT_DELETE_SELF")
    );
    for change in [json!({"role": "technician"}), json!({"is_active": false})] {
        let reply = app.put("/api/v1/users/1", &admin, change).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::CONFLICT, "LAST_ADMIN")
        );
    }
    assert_eq!(
        app.get("/api/v1/users/1", &admin).await.data()["role"],
        "admin"
    );

    // With a second admin, the first may step down; then the second is the last one.
    let second = app.create_user(&admin, "second", "admin").await;
    let reply = app
        .put("/api/v1/users/1", &admin, json!({"role": "technician"}))
        .await;
    assert_eq!(reply.data()["role"], "technician");
    let second_token = app.login("second", PASSWORD).await.access;
    let reply = app
        .put(
            &format!("/api/v1/users/{second}"),
            &second_token,
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(reply.code(), "LAST_ADMIN");
}

#[actix_web::test]
async fn deleting_a_user_ends_their_sessions() {
    let app = spawn().await;
    let admin = app.admin().await;
    let (id, jane) = app.user_with_role("jane", "viewer").await;
    app.delete(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(app.me(&jane).await.status, StatusCode::UNAUTHORIZED);
}
