use actix_web::{HttpResponse, get, web};
use slimrmm_domain::user::UserId;
use slimrmm_domain::user::UserService;

use crate::dto::{ApiResponse, UserResponse, ok};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Authorized, Read};

/// Read a user: admins read anyone, everyone else only themselves.
#[utoipa::path(
    tag = "users",
    security(("bearer" = ["viewer"])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, body = ApiResponse<UserResponse>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/{id}")]
pub async fn get_user(
    users: web::Data<UserService>,
    caller: Authorized<Read>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let user = users.get(&caller.actor, UserId(id.into_inner())).await?;
    Ok(ok(UserResponse::from(user)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use actix_web::dev::Service;
    use actix_web::{App, test};
    use slimrmm_domain::audit::MockAuditLog;
    use slimrmm_domain::auth::MockSessionRepository;
    use slimrmm_domain::clock::MockClock;
    use slimrmm_domain::fixtures::{actor, t0, user};
    use slimrmm_domain::user::{MockPasswordHasher, MockUserRepository, Role};

    use super::*;

    /// The handler needs the user service alone: one mocked repository, no database, no
    /// token issuer.
    #[actix_web::test]
    async fn a_viewer_reads_their_own_profile_but_not_anothers() {
        let mut repository = MockUserRepository::new();
        repository
            .expect_find()
            .returning(|id| Ok(Some(user(id.0, "jane", Role::Viewer))));
        let users = UserService::new(
            Arc::new(repository),
            Arc::new(MockSessionRepository::new()),
            Arc::new(MockPasswordHasher::new()),
            slimrmm_domain::audit::AuditService::new(
                Arc::new(MockAuditLog::new()),
                Arc::new(MockClock::fixed(t0())),
            ),
            Arc::new(MockClock::fixed(t0())),
        );
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(users))
                .wrap_fn(|req, service| {
                    crate::extract::act_as(&req, actor(3, Role::Viewer));
                    service.call(req)
                })
                .service(get_user),
        )
        .await;
        let own = test::call_service(&app, test::TestRequest::get().uri("/3").to_request()).await;
        assert_eq!(own.status(), 200);
        let body: serde_json::Value = test::read_body_json(own).await;
        assert_eq!(body["data"]["username"], "jane");
        let other = test::call_service(&app, test::TestRequest::get().uri("/4").to_request()).await;
        assert_eq!(other.status(), 403);
    }
}
