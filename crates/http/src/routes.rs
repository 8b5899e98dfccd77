//! One module per endpoint; this file only assembles them.

pub mod agents;
pub mod alerts;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod enrollment;
pub mod enrollment_tokens;
pub mod executions;
pub mod health;
pub mod integrations;
pub mod policies;
pub mod scripts;
pub mod settings;
pub mod tenancy;
pub mod users;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api/v1`.
pub(crate) fn api_v1(config: &mut ServiceConfig<'_>) {
    config
        .service(
            scope::scope("/auth")
                .service(auth::login::login)
                .service(auth::second_factor::second_factor)
                .service(auth::two_factor::two_factor_status)
                .service(auth::two_factor::enrol_two_factor)
                .service(auth::two_factor::activate_two_factor)
                .service(auth::two_factor::disable_two_factor)
                .service(auth::refresh::refresh)
                .service(auth::logout::logout)
                .service(auth::me::me)
                .service(auth::forgot_password::forgot_password)
                .service(auth::reset_password::reset_password),
        )
        .service(
            scope::scope("/enrollment")
                .service(enrollment::register::register)
                .service(enrollment::status::enrollment_status)
                .service(enrollment::certificate::certificate),
        )
        .service(
            scope::scope("/enrollment-tokens")
                .service(enrollment_tokens::create::create_token)
                .service(enrollment_tokens::list::list_tokens)
                .service(enrollment_tokens::revoke::revoke_token),
        )
        .service(
            scope::scope("/agents")
                .service(agents::list::list_agents)
                .service(agents::register::register_legacy)
                .service(agents::get::get_agent)
                .service(agents::review::approve_agent)
                .service(agents::review::reject_agent)
                .service(agents::update::update_agent)
                .service(agents::site::move_agent)
                .service(agents::delete::delete_agent)
                .service(agents::renew_cert::renew_cert)
                .service(agents::action::agent_action)
                .service(agents::telemetry::agent_metrics)
                .service(agents::telemetry::agent_state)
                .service(agents::telemetry::agent_software)
                .service(agents::telemetry::agent_updates),
        )
        .service(
            scope::scope("/clients")
                .service(tenancy::clients::list_clients)
                .service(tenancy::clients::create_client)
                .service(tenancy::clients::get_client)
                .service(tenancy::clients::rename_client)
                .service(tenancy::clients::delete_client)
                .service(tenancy::clients::list_sites)
                .service(tenancy::clients::create_site),
        )
        .service(
            scope::scope("/sites")
                .service(tenancy::sites::get_site)
                .service(tenancy::sites::rename_site)
                .service(tenancy::sites::delete_site),
        )
        .service(
            scope::scope("/executions")
                .service(executions::list_executions)
                .service(executions::get_execution)
                .service(executions::cancel_execution),
        )
        .service(
            scope::scope("/scripts")
                .service(scripts::crud::list_scripts)
                .service(scripts::crud::create_script)
                .service(scripts::crud::get_script)
                .service(scripts::crud::update_script)
                .service(scripts::crud::delete_script)
                .service(scripts::execute::execute_script)
                .service(scripts::execute::script_executions),
        )
        .service(
            scope::scope("/policies")
                .service(policies::crud::list_policies)
                .service(policies::crud::create_policy)
                .service(policies::crud::get_policy)
                .service(policies::crud::update_policy)
                .service(policies::crud::delete_policy)
                .service(policies::run::execute_policy)
                .service(policies::run::scan_policy)
                .service(policies::run::policy_runs),
        )
        .service(scope::scope("/policy-runs").service(policies::run::get_policy_run))
        .service(
            scope::scope("/integrations")
                .service(integrations::list_integrations)
                .service(integrations::put_smtp)
                .service(integrations::put_pushover)
                .service(integrations::test_integration),
        )
        .service(scope::scope("/notifications").service(integrations::list_notifications))
        .service(scope::scope("/audit-logs").service(audit::list_audit_logs))
        .service(
            scope::scope("/alerts")
                .service(alerts::list_alerts)
                .service(alerts::acknowledge_alert),
        )
        .service(
            scope::scope("/ws")
                .service(crate::gateway::agent_socket::agent_socket)
                .service(crate::gateway::events_socket::events_socket),
        )
        .service(
            scope::scope("/users")
                .service(users::list::list_users)
                .service(users::create::create_user)
                .service(users::get::get_user)
                .service(users::update::update_user)
                .service(users::delete::delete_user)
                .service(users::two_factor::reset_two_factor)
                .service(api_keys::list_account_keys)
                .service(api_keys::create_account_key),
        )
        .service(
            scope::scope("/api-keys")
                .service(api_keys::list_own_keys)
                .service(api_keys::create_own_key)
                .service(api_keys::revoke_key),
        )
        .service(
            scope::scope("/settings")
                .service(settings::get_security_policy)
                .service(settings::put_security_policy),
        );
}
