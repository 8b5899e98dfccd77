use super::*;
use crate::auth::TokenDigest;
use crate::test_support::{enrollment_services, enrollment_token, facts, issued, stored_agent};

const KEY: &str = "enrollment-key-0000000000001";

fn request(key: Option<&str>, reinstall: Option<Reinstall>) -> RegistrationRequest {
    RegistrationRequest {
        facts: facts(),
        enrollment_key: key.map(str::to_owned),
        reinstall,
    }
}

#[tokio::test]
async fn an_auto_approving_token_enrolls_with_a_certificate() {
    let mut ports = enrollment_services();
    ports
        .tokens
        .expect_find_by_digest()
        .returning(|_| Ok(Some(enrollment_token(true))));
    ports
        .ca
        .expect_issue()
        .times(1)
        .returning(|agent, from, to| Ok(issued(agent, from, to)));
    ports
        .agents
        .expect_enroll()
        .times(1)
        .returning(|new, record, _| {
            assert_eq!(new.status, AgentStatus::Offline);
            assert_eq!(record.as_ref().map(|r| r.agent), Some(new.id));
            Ok(stored_agent(new.id, new.status).agent)
        });
    let registration = ports
        .service()
        .register(request(Some(KEY), None))
        .await
        .unwrap();
    assert!(registration.created);
    assert!(registration.certificate.is_some());
    assert_ne!(
        registration.registration_token,
        registration.reregistration_secret
    );
}

#[tokio::test]
async fn a_manual_token_enrolls_a_pending_agent_without_a_certificate() {
    let mut ports = enrollment_services();
    ports
        .tokens
        .expect_find_by_digest()
        .returning(|_| Ok(Some(enrollment_token(false))));
    ports.agents.expect_enroll().returning(|new, record, _| {
        assert!(record.is_none());
        Ok(stored_agent(new.id, new.status).agent)
    });
    let registration = ports
        .service()
        .register(request(Some(KEY), None))
        .await
        .unwrap();
    assert_eq!(registration.agent.status, AgentStatus::Pending);
    assert!(registration.certificate.is_none());
}

#[tokio::test]
async fn refused_tokens_store_nothing() {
    type Mutation = fn(&mut crate::enrollment::EnrollmentToken);
    let cases: [(Mutation, &str); 3] = [
        (
            |t| t.revoked_at = Some(crate::test_support::t0()),
            "revoked",
        ),
        (
            |t| t.expires_at = Some(crate::test_support::t0()),
            "expired",
        ),
        (
            |t| {
                t.max_uses = Some(1);
                t.uses = 1;
            },
            "used up",
        ),
    ];
    for (mutate, expected) in cases {
        let mut ports = enrollment_services();
        ports.tokens.expect_find_by_digest().returning(move |_| {
            let mut token = enrollment_token(true);
            mutate(&mut token);
            Ok(Some(token))
        });
        // No expectation on `enroll`: calling it would fail the test.
        let error = ports
            .service()
            .register(request(Some(KEY), None))
            .await
            .unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
    let mut ports = enrollment_services();
    ports.tokens.expect_find_by_digest().returning(|_| Ok(None));
    let result = ports.service().register(request(Some(KEY), None)).await;
    assert!(matches!(result, Err(RegisterError::KeyInvalid)));
    let ports = enrollment_services();
    let result = ports.service().register(request(None, None)).await;
    assert!(matches!(result, Err(RegisterError::KeyRequired)));
}

#[tokio::test]
async fn losing_the_last_use_to_another_agent_is_reported_as_used_up() {
    let mut ports = enrollment_services();
    let mut calls = 0;
    ports.tokens.expect_find_by_digest().returning(move |_| {
        calls += 1;
        let mut token = enrollment_token(false);
        token.max_uses = Some(1);
        token.uses = if calls == 1 { 0 } else { 1 };
        Ok(Some(token))
    });
    ports
        .agents
        .expect_enroll()
        .returning(|_, _, _| Err(EnrollAgentError::TokenNoLongerValid));
    let result = ports.service().register(request(Some(KEY), None)).await;
    assert!(matches!(result, Err(RegisterError::KeyExhausted)));
}

#[tokio::test]
async fn a_reinstall_with_the_right_secret_keeps_the_uuid() {
    let secret = OpaqueToken::from_generated("reregistration-secret-00001".into());
    let digest = secret.digest();
    let mut ports = enrollment_services();
    ports.agents.expect_find().returning(move |id| {
        let mut stored = stored_agent(id, AgentStatus::Offline);
        stored.secrets.reregistration_secret = digest;
        Ok(Some(stored))
    });
    ports
        .ca
        .expect_issue()
        .returning(|agent, from, to| Ok(issued(agent, from, to)));
    ports
        .agents
        .expect_reinstall()
        .withf(move |_, _, secrets, record, _| {
            secrets.reregistration_secret != digest && record.is_some()
        })
        .returning(|id, _, _, _, _| Ok(Some(stored_agent(id, AgentStatus::Offline).agent)));
    let id = AgentId(Uuid::new_v4());
    let reinstall = Reinstall {
        agent: id,
        secret: secret.expose().to_owned(),
    };
    let registration = ports
        .service()
        .register(request(None, Some(reinstall)))
        .await
        .unwrap();
    assert_eq!((registration.agent.id, registration.created), (id, false));
    assert!(registration.certificate.is_some());
}

#[tokio::test]
async fn a_wrong_reregistration_secret_changes_nothing() {
    let mut ports = enrollment_services();
    ports.agents.expect_find().returning(|id| {
        let mut stored = stored_agent(id, AgentStatus::Offline);
        stored.secrets.reregistration_secret = TokenDigest([7; 32]);
        Ok(Some(stored))
    });
    let reinstall = Reinstall {
        agent: AgentId(Uuid::new_v4()),
        secret: "a-guessed-secret-000000000".into(),
    };
    let result = ports
        .service()
        .register(request(Some(KEY), Some(reinstall)))
        .await;
    assert!(matches!(
        result,
        Err(RegisterError::WrongReregistrationSecret)
    ));
}
