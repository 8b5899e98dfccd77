//! One module per endpoint; this file only assembles them.

pub mod auth;
pub mod health;
pub mod users;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub(crate) fn api_v1(config: &mut ServiceConfig<'_>) {
    config
        .service(
            scope::scope("/auth")
                .service(auth::login::login)
                .service(auth::refresh::refresh)
                .service(auth::logout::logout)
                .service(auth::me::me)
                .service(auth::forgot_password::forgot_password)
                .service(auth::reset_password::reset_password),
        )
        .service(
            scope::scope("/users")
                .service(users::list::list_users)
                .service(users::create::create_user)
                .service(users::get::get_user)
                .service(users::update::update_user)
                .service(users::delete::delete_user),
        );
}
