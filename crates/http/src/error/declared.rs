//! Every status a use case's error can become is declared on the operations that return it,
//! checked against the OpenAPI document (`docs/openapi.json`, which the server's snapshot
//! test keeps equal to the served one).
//!
//! Each error enum is listed whole, the compiler checking that no variant is missing (a new
//! variant fails to compile here until it is placed). What an operation cannot meet is left
//! out, and says why: every role reads, so a read's `Forbidden` never happens; an
//! integration that is being configured cannot be "not configured".

use std::collections::BTreeSet;

use actix_web::ResponseError;
use serde_json::Value;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{
    DeleteAgentError, GetAgentError, ListAgentsError, MoveAgentError, ReviewAgentError,
    UpdateAgentError,
};
use slimrmm_domain::alert::AlertError;
use slimrmm_domain::apikey::ApiKeyError;
use slimrmm_domain::audit::AuditError;
use slimrmm_domain::auth::{
    ForgotPasswordError, LoginError, LogoutError, RefreshError, ResetPasswordError,
    SecondFactorError, SecurityPolicyError, TwoFactorError,
};
use slimrmm_domain::enrollment::{
    AgentAuthError, CreateTokenError, ListTokensError, RegisterError, RevokeTokenError,
};
use slimrmm_domain::execution::{
    CancelExecutionError, CommandError, CreateExecutionError, GetExecutionError,
    ListExecutionsError,
};
use slimrmm_domain::inventory::InventoryError;
use slimrmm_domain::notification::{Channel, IntegrationError};
use slimrmm_domain::policy::{PolicyError, ReadRunsError, RunPolicyError, ScanPolicyError};
use slimrmm_domain::script::{ExecuteScriptError, ScriptError};
use slimrmm_domain::telemetry::MetricsError;
use slimrmm_domain::tenancy::{ClientError, SiteError};
use slimrmm_domain::user::{
    CreateUserError, DeleteUserError, GetUserError, ListUsersError, UpdateUserError,
};

use super::ApiError;

/// Every variant of an error enum: unit variants by name, the others as `pattern => value`.
/// The `match` makes leaving one out a compile error.
macro_rules! every {
    ($error:ident; $($unit:ident),* ; $($pattern:pat => $value:expr),* $(,)?) => {{
        let all: Vec<$error> = vec![$($error::$unit,)* $($value,)*];
        for error in &all {
            match error {
                $($error::$unit => {})*
                $($pattern => {})*
            }
        }
        statuses(all)
    }};
}

fn statuses<E>(errors: Vec<E>) -> BTreeSet<u16>
where
    ApiError: From<E>,
{
    errors
        .into_iter()
        .map(|error| ApiError::from(error).status_code().as_u16())
        // A 500 is the server's own fault, which no operation declares.
        .filter(|status| *status != 500)
        .collect()
}

fn port() -> PortError {
    PortError::Unavailable(anyhow::anyhow!("down"))
}

fn without(mut statuses: BTreeSet<u16>, status: u16) -> BTreeSet<u16> {
    statuses.remove(&status);
    statuses
}

fn union(sets: impl IntoIterator<Item = BTreeSet<u16>>) -> BTreeSet<u16> {
    sets.into_iter().flatten().collect()
}

/// `(method, path, statuses its use case's errors become)`.
fn operations() -> Vec<(&'static str, &'static str, BTreeSet<u16>)> {
    use AgentAuthError as Auth;
    use CreateExecutionError as Create;
    use DeleteUserError as DelUser;
    use ExecuteScriptError as ExecScript;
    use IntegrationError as Integ;
    use UpdateUserError as UpdUser;

    // Reads: every role has the Read capability, so their `Forbidden` never happens.
    let read = |statuses: BTreeSet<u16>| without(statuses, 403);
    let list_agents = read(
        every!(ListAgentsError; Forbidden; ListAgentsError::Port(_) => ListAgentsError::Port(port())),
    );
    let get_agent = read(
        every!(GetAgentError; Forbidden, NotFound; GetAgentError::Port(_) => GetAgentError::Port(port())),
    );
    let review = every!(ReviewAgentError; Forbidden, NotFound;
        ReviewAgentError::InvalidState(_) => ReviewAgentError::InvalidState("already"),
        ReviewAgentError::Port(_) => ReviewAgentError::Port(port()));
    let update_agent = every!(UpdateAgentError; Forbidden, NotFound; UpdateAgentError::Port(_) => UpdateAgentError::Port(port()));
    let delete_agent = every!(DeleteAgentError; Forbidden, NotFound; DeleteAgentError::Port(_) => DeleteAgentError::Port(port()));
    let command = union([
        every!(Create; Forbidden, AgentNotFound, AgentNotApproved;
            Create::InvalidExpiry { .. } => Create::InvalidExpiry { max_seconds: 1 },
            Create::Port(_) => Create::Port(port())),
        every!(CommandError; UnknownAction;
            CommandError::Param { .. } => CommandError::Param { field: "params.x".into(), message: "bad".into() }),
    ]);
    let metrics = read(every!(MetricsError; Forbidden, AgentNotFound;
        MetricsError::InvalidWindow(_) => MetricsError::InvalidWindow("since"),
        MetricsError::Port(_) => MetricsError::Port(port())));
    let inventory = read(
        every!(InventoryError; Forbidden, AgentNotFound; InventoryError::Port(_) => InventoryError::Port(port())),
    );
    let alerts =
        every!(AlertError; Forbidden, NotFound; AlertError::Port(_) => AlertError::Port(port()));
    let audit = every!(AuditError; Forbidden, InvalidRange;
        AuditError::OutOfRange(_) => AuditError::OutOfRange("since"),
        AuditError::Port(_) => AuditError::Port(port()));
    let login = every!(LoginError; InvalidCredentials, AccountDisabled; LoginError::Port(_) => LoginError::Port(port()));
    let refresh = every!(RefreshError; InvalidToken, TokenExpired, TokenRevoked, TokenReused, AccountDisabled;
        RefreshError::Port(_) => RefreshError::Port(port()));
    let second_factor = every!(SecondFactorError; InvalidChallenge, InvalidCode, CodeReused, AccountDisabled;
        SecondFactorError::Port(_) => SecondFactorError::Port(port()));
    let two_factor = every!(TwoFactorError; Forbidden, UserNotFound, AlreadyActive, NotEnrolled, InvalidCode;
        TwoFactorError::Port(_) => TwoFactorError::Port(port()));
    // One's own second factor: never another user's, so neither forbidden nor not found.
    let own_factor = without(without(two_factor.clone(), 403), 404);
    let policy_settings = every!(SecurityPolicyError; Forbidden;
        SecurityPolicyError::Port(_) => SecurityPolicyError::Port(port()));
    let logout = every!(LogoutError; InvalidToken, TokenExpired, TokenRevoked; LogoutError::Port(_) => LogoutError::Port(port()));
    let forgot = every!(ForgotPasswordError; ; ForgotPasswordError::Port(_) => ForgotPasswordError::Port(port()));
    let reset = every!(ResetPasswordError; InvalidToken; ResetPasswordError::Port(_) => ResetPasswordError::Port(port()));
    let list_tokens = every!(ListTokensError; Forbidden; ListTokensError::Port(_) => ListTokensError::Port(port()));
    let create_token = every!(CreateTokenError; Forbidden, ExpiresInPast, UnknownSite; CreateTokenError::Port(_) => CreateTokenError::Port(port()));
    let revoke_token = every!(RevokeTokenError; Forbidden, NotFound; RevokeTokenError::Port(_) => RevokeTokenError::Port(port()));
    let register = every!(RegisterError; KeyRequired, KeyInvalid, KeyRevoked, KeyExpired, KeyExhausted, UnknownAgent, WrongReregistrationSecret;
        RegisterError::Port(_) => RegisterError::Port(port()));
    // Fetching a certificate: the agent's uuid and registration token, then its state.
    let certificate = every!(Auth; MissingCredentials, UuidMismatch, UnknownAgent, InvalidToken, NotApproved, Rejected, CertificateAlreadyIssued, CertificateRevoked;
        Auth::Port(_) => Auth::Port(port()));
    let list_executions = read(
        every!(ListExecutionsError; Forbidden; ListExecutionsError::Port(_) => ListExecutionsError::Port(port())),
    );
    let get_execution = read(
        every!(GetExecutionError; Forbidden, NotFound; GetExecutionError::Port(_) => GetExecutionError::Port(port())),
    );
    let cancel = every!(CancelExecutionError; Forbidden, NotFound;
        CancelExecutionError::NotQueued(_) => CancelExecutionError::NotQueued("sent"),
        CancelExecutionError::Port(_) => CancelExecutionError::Port(port()));
    let integrations = every!(Integ; Forbidden;
        Integ::Invalid(_) => Integ::Invalid(Vec::new()),
        Integ::NotConfigured(_) => Integ::NotConfigured(Channel::Smtp),
        Integ::Port(_) => Integ::Port(port()));
    // Configuring a channel, listing them or the outbox never meets "not configured" (409).
    let configure = without(integrations.clone(), 409);
    let policy = every!(PolicyError; NotFound, NameTaken;
        PolicyError::Forbidden(_) => PolicyError::Forbidden("no"),
        PolicyError::Invalid(_) => PolicyError::Invalid(Vec::new()),
        PolicyError::Port(_) => PolicyError::Port(port()));
    // Reading and deleting a policy cannot meet a name or a definition; reading is for
    // users of every client, so a user limited to some is refused (403).
    let policy_read = without(without(policy.clone(), 409), 422);
    let policy_delete = without(without(policy.clone(), 409), 422);
    let run_policy = every!(RunPolicyError; NotFound, NoTargets;
        RunPolicyError::Forbidden(_) => RunPolicyError::Forbidden("no"),
        RunPolicyError::InvalidExpiry { .. } => RunPolicyError::InvalidExpiry { max_seconds: 1 },
        RunPolicyError::Port(_) => RunPolicyError::Port(port()));
    let scan = every!(ScanPolicyError; NotFound;
        ScanPolicyError::Forbidden(_) => ScanPolicyError::Forbidden("no"),
        ScanPolicyError::Port(_) => ScanPolicyError::Port(port()));
    let runs = every!(ReadRunsError; PolicyNotFound, RunNotFound;
        ReadRunsError::Forbidden(_) => ReadRunsError::Forbidden("no"),
        ReadRunsError::Port(_) => ReadRunsError::Port(port()));
    let script = every!(ScriptError; NotFound, NameTaken;
        ScriptError::Forbidden(_) => ScriptError::Forbidden("no"),
        ScriptError::Invalid(_) => ScriptError::Invalid(Vec::new()),
        ScriptError::Port(_) => ScriptError::Port(port()));
    let script_read = read(without(without(script.clone(), 409), 422));
    let script_delete = without(without(script.clone(), 409), 422);
    let execute_script = every!(ExecScript; Forbidden, NotFound, NoSelection, NoTargets;
        ExecScript::UnknownAgents(_) => ExecScript::UnknownAgents(Vec::new()),
        ExecScript::Incompatible { .. } => ExecScript::Incompatible { script_type: "bash", agents: Vec::new() },
        ExecScript::InvalidExpiry { .. } => ExecScript::InvalidExpiry { max_seconds: 1 },
        ExecScript::Port(_) => ExecScript::Port(port()));
    let list_users =
        every!(ListUsersError; Forbidden; ListUsersError::Port(_) => ListUsersError::Port(port()));
    let create_user = every!(CreateUserError; Forbidden, UsernameTaken, EmailTaken, UnknownClient;
        CreateUserError::Password(_) => CreateUserError::Password("required"),
        CreateUserError::Port(_) => CreateUserError::Port(port()));
    let get_user = every!(GetUserError; Forbidden, NotFound; GetUserError::Port(_) => GetUserError::Port(port()));
    let update_user = every!(UpdUser; NotFound, UsernameTaken, EmailTaken, LastActiveAdmin, UnknownClient, CurrentPasswordRequired, CurrentPasswordIncorrect;
        UpdUser::Forbidden(_) => UpdUser::Forbidden("no"),
        UpdUser::Port(_) => UpdUser::Port(port()));
    let move_agent = every!(MoveAgentError; Forbidden, NotFound, UnknownSite;
        MoveAgentError::Port(_) => MoveAgentError::Port(port()));
    let client = every!(ClientError; NotFound, NameTaken;
        ClientError::Forbidden(_) => ClientError::Forbidden("no"),
        ClientError::HasAgents(_) => ClientError::HasAgents(1),
        ClientError::Port(_) => ClientError::Port(port()));
    let site = every!(SiteError; NameTaken;
        SiteError::Forbidden(_) => SiteError::Forbidden("no"),
        SiteError::NotFound(_) => SiteError::NotFound("site"),
        SiteError::HasAgents(_) => SiteError::HasAgents(1),
        SiteError::Port(_) => SiteError::Port(port()));
    // Reads see what is in scope (every role reads; outside the scope is 404); a name is
    // met by creating and renaming, agents by deleting.
    let tenant_read = |statuses: &BTreeSet<u16>| read(without(statuses.clone(), 409));
    let tenant_delete = |statuses: &BTreeSet<u16>| without(statuses.clone(), 422);
    let keys = every!(ApiKeyError; ;
        ApiKeyError::Forbidden(_) => ApiKeyError::Forbidden("no"),
        ApiKeyError::NotFound(_) => ApiKeyError::NotFound("API key"),
        ApiKeyError::Invalid(_) => ApiKeyError::Invalid(Vec::new()),
        ApiKeyError::Port(_) => ApiKeyError::Port(port()));
    // One's own keys: no user to find, listing and revoking check no field.
    let own_keys = without(keys.clone(), 404);
    let delete_user = every!(DelUser; Forbidden, CannotDeleteSelf, NotFound, LastActiveAdmin; DelUser::Port(_) => DelUser::Port(port()));

    vec![
        ("get", "/api/v1/agents", list_agents),
        ("get", "/api/v1/agents/{uuid}", get_agent),
        ("put", "/api/v1/agents/{uuid}/site", move_agent),
        ("get", "/api/v1/clients", without(tenant_read(&client), 404)),
        ("post", "/api/v1/clients", without(client.clone(), 404)),
        ("get", "/api/v1/clients/{id}", tenant_read(&client)),
        ("put", "/api/v1/clients/{id}", client.clone()),
        ("delete", "/api/v1/clients/{id}", tenant_delete(&client)),
        ("get", "/api/v1/clients/{id}/sites", tenant_read(&site)),
        ("post", "/api/v1/clients/{id}/sites", site.clone()),
        ("get", "/api/v1/sites/{id}", tenant_read(&site)),
        ("put", "/api/v1/sites/{id}", site.clone()),
        ("delete", "/api/v1/sites/{id}", tenant_delete(&site)),
        ("patch", "/api/v1/agents/{uuid}", update_agent),
        ("delete", "/api/v1/agents/{uuid}", delete_agent),
        ("post", "/api/v1/agents/{uuid}/approve", review.clone()),
        ("post", "/api/v1/agents/{uuid}/reject", review),
        ("post", "/api/v1/agents/{uuid}/action", command),
        ("get", "/api/v1/agents/{uuid}/metrics", metrics),
        ("get", "/api/v1/agents/{uuid}/software", inventory.clone()),
        ("get", "/api/v1/agents/{uuid}/updates", inventory),
        ("post", "/api/v1/alerts/{id}/ack", alerts),
        ("get", "/api/v1/audit-logs", audit),
        ("post", "/api/v1/auth/login", login),
        ("post", "/api/v1/auth/refresh", refresh),
        ("post", "/api/v1/auth/logout", logout),
        ("post", "/api/v1/auth/login/second-factor", second_factor),
        // Enrolling checks no code; activating and turning off do.
        (
            "post",
            "/api/v1/auth/2fa/enroll",
            without(own_factor.clone(), 422),
        ),
        ("post", "/api/v1/auth/2fa/activate", own_factor.clone()),
        ("delete", "/api/v1/auth/2fa", own_factor),
        ("get", "/api/v1/settings/security", policy_settings.clone()),
        ("put", "/api/v1/settings/security", policy_settings),
        // An admin's reset names a user and checks no code or state.
        (
            "delete",
            "/api/v1/users/{id}/2fa",
            without(without(two_factor, 409), 422),
        ),
        ("post", "/api/v1/auth/forgot-password", forgot),
        ("post", "/api/v1/auth/reset-password", reset),
        ("get", "/api/v1/enrollment-tokens", list_tokens),
        ("post", "/api/v1/enrollment-tokens", create_token),
        ("delete", "/api/v1/enrollment-tokens/{id}", revoke_token),
        ("post", "/api/v1/enrollment/register", register),
        ("get", "/api/v1/enrollment/certificate/{uuid}", certificate),
        ("get", "/api/v1/executions", list_executions),
        ("get", "/api/v1/executions/{id}", get_execution),
        ("post", "/api/v1/executions/{id}/cancel", cancel),
        // Listing the channels reads no input to refuse.
        (
            "get",
            "/api/v1/integrations",
            without(configure.clone(), 422),
        ),
        ("put", "/api/v1/integrations/smtp", configure.clone()),
        ("put", "/api/v1/integrations/pushover", configure.clone()),
        ("post", "/api/v1/integrations/{name}/test", integrations),
        ("get", "/api/v1/notifications", configure),
        ("get", "/api/v1/policies", without(policy_read.clone(), 404)),
        ("post", "/api/v1/policies", without(policy.clone(), 404)),
        ("get", "/api/v1/policies/{id}", policy_read),
        ("put", "/api/v1/policies/{id}", policy),
        ("delete", "/api/v1/policies/{id}", policy_delete),
        ("post", "/api/v1/policies/{id}/execute", run_policy),
        ("post", "/api/v1/policies/{id}/scan", scan),
        ("get", "/api/v1/policies/{id}/runs", runs.clone()),
        ("get", "/api/v1/policy-runs/{id}", runs),
        ("get", "/api/v1/scripts", without(script_read.clone(), 404)),
        ("post", "/api/v1/scripts", without(script.clone(), 404)),
        ("get", "/api/v1/scripts/{id}", script_read),
        ("put", "/api/v1/scripts/{id}", script),
        ("delete", "/api/v1/scripts/{id}", script_delete),
        ("post", "/api/v1/scripts/{id}/execute", execute_script),
        ("get", "/api/v1/users", list_users),
        ("get", "/api/v1/api-keys", without(own_keys.clone(), 422)),
        ("post", "/api/v1/api-keys", own_keys),
        (
            "delete",
            "/api/v1/api-keys/{id}",
            without(keys.clone(), 422),
        ),
        (
            "get",
            "/api/v1/users/{id}/api-keys",
            without(keys.clone(), 422),
        ),
        ("post", "/api/v1/users/{id}/api-keys", keys),
        ("post", "/api/v1/users", create_user),
        ("get", "/api/v1/users/{id}", get_user),
        ("put", "/api/v1/users/{id}", update_user),
        ("delete", "/api/v1/users/{id}", delete_user),
    ]
}

#[test]
fn every_status_an_operations_errors_can_become_is_declared() {
    let document: Value =
        serde_json::from_str(include_str!("../../../../docs/openapi.json")).unwrap();
    let mut missing = Vec::new();
    for (method, path, statuses) in operations() {
        let responses = &document["paths"][path][method]["responses"];
        assert!(
            responses.is_object(),
            "{method} {path} is not in the document"
        );
        for status in statuses {
            if responses.get(status.to_string()).is_none() {
                missing.push(format!("{method} {path}: {status}"));
            }
        }
    }
    assert!(missing.is_empty(), "undeclared statuses: {missing:#?}");
}
