use std::sync::Mutex;

use secrecy::SecretString;
use uuid::Uuid;

use super::*;
use crate::agent::{AgentId, Hostname};
use crate::clock::MockClock;
use crate::notification::{
    MockIntegrationRepository, MockOutboxRepository, MockTransport, NotificationId, PushoverConfig,
    Routing, Severity, SmtpConfig, SmtpSecurity, Unrouted,
};
use crate::test_support::t0;

fn smtp(recipients: &[&str]) -> Integration {
    Integration {
        enabled: true,
        config: ChannelConfig::Smtp(SmtpConfig {
            host: "mail".into(),
            port: 25,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from_address: Email::parse("rmm@example.com").unwrap(),
            from_name: None,
            recipients: recipients
                .iter()
                .map(|r| Email::parse(r).unwrap())
                .collect(),
        }),
        routing: Routing::default(),
        last_result: None,
        updated_at: t0(),
    }
}

fn pushover(min_severity: Severity) -> Integration {
    Integration {
        enabled: true,
        config: ChannelConfig::Pushover(PushoverConfig {
            app_token: SecretString::from("a".repeat(30)),
            user_key: SecretString::from("u".repeat(30)),
            device: None,
            priority: 0,
        }),
        routing: Routing {
            min_severity,
            ..Routing::default()
        },
        last_result: None,
        updated_at: t0(),
    }
}

fn offline(name: &str) -> Notification {
    Notification::AgentOffline {
        agent: AgentId(Uuid::new_v4()),
        hostname: Hostname::parse(name).unwrap(),
        at: t0(),
    }
}

#[test]
fn routing_follows_each_integrations_events_and_severity() {
    let integrations = vec![smtp(&["ops@example.com"]), pushover(Severity::Critical)];
    assert_eq!(route(&integrations, &offline("pc")), vec![Channel::Smtp]);
    let overdue = Notification::AgentOverdue {
        agent: AgentId(Uuid::nil()),
        hostname: Hostname::parse("pc").unwrap(),
        at: t0(),
    };
    assert_eq!(
        route(&integrations, &overdue),
        vec![Channel::Smtp, Channel::Pushover]
    );
    assert!(
        route(&[smtp(&[])], &offline("pc")).is_empty(),
        "no recipients"
    );
    let mut disabled = smtp(&["ops@example.com"]);
    disabled.enabled = false;
    assert!(route(&[disabled], &offline("pc")).is_empty());
}

fn service(
    outbox: MockOutboxRepository,
    transport: MockTransport,
    integrations: Vec<Integration>,
) -> DeliveryService {
    let mut repository = MockIntegrationRepository::new();
    repository
        .expect_all()
        .returning(move || Ok(integrations.clone()));
    repository.expect_record_result().returning(|_, _| Ok(()));
    DeliveryService::new(
        Arc::new(outbox),
        Arc::new(repository),
        Arc::new(transport),
        Arc::new(MockClock::fixed(t0())),
        DeliverySettings::new("https://rmm.example.com"),
    )
}

#[tokio::test]
async fn a_storm_goes_out_as_one_message_per_channel() {
    let mut outbox = MockOutboxRepository::new();
    outbox.expect_unrouted().returning(|_| {
        Ok(vec![Unrouted {
            id: NotificationId(1),
            notification: offline("pc-0"),
        }])
    });
    outbox
        .expect_route()
        .withf(|_, channels, _| channels == [Channel::Smtp])
        .returning(|_, _, _| Ok(true));
    outbox.expect_claim().returning(|_, _, _| {
        Ok((0..500)
            .map(|i| Delivery {
                id: DeliveryId(i),
                channel: Channel::Smtp,
                attempts: 0,
                notification: offline(&format!("pc-{i}")),
            })
            .collect())
    });
    outbox
        .expect_sent()
        .withf(|ids, _| ids.len() == 500)
        .times(1)
        .returning(|_, _| Ok(()));
    let subjects = Arc::new(Mutex::new(Vec::new()));
    let seen = subjects.clone();
    let mut transport = MockTransport::new();
    transport
        .expect_send()
        .times(1)
        .returning(move |_, to, message| {
            assert_eq!(to.len(), 1);
            seen.lock().unwrap().push(message.subject.clone());
            Ok(())
        });
    let report = service(outbox, transport, vec![smtp(&["ops@example.com"])])
        .run_once()
        .await
        .unwrap();
    assert_eq!((report.routed, report.messages, report.sent), (1, 1, 500));
    assert_eq!(
        subjects.lock().unwrap().as_slice(),
        ["[SlimRMM] 500 agents went offline"]
    );
}

#[tokio::test]
async fn transient_failures_retry_with_backoff_and_permanent_ones_are_dead() {
    let claim = |attempts: u32| {
        move |_: DateTime<Utc>, _: TimeDelta, _: u32| {
            Ok(vec![Delivery {
                id: DeliveryId(7),
                channel: Channel::Smtp,
                attempts,
                notification: offline("pc"),
            }])
        }
    };
    for (attempts, error, retry) in [
        (
            0,
            DeliveryError::Transient("timeout".into()),
            Some(t0() + TimeDelta::seconds(30)),
        ),
        (
            2,
            DeliveryError::Transient("timeout".into()),
            Some(t0() + TimeDelta::seconds(120)),
        ),
        (7, DeliveryError::Transient("timeout".into()), None),
        (0, DeliveryError::Permanent("550 no such user".into()), None),
    ] {
        let mut outbox = MockOutboxRepository::new();
        outbox.expect_unrouted().returning(|_| Ok(Vec::new()));
        outbox.expect_claim().returning(claim(attempts));
        outbox
            .expect_failed()
            .withf(move |_, _, retry_at, _| *retry_at == retry)
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        let mut transport = MockTransport::new();
        let failure = error.clone();
        transport
            .expect_send()
            .returning(move |_, _, _| Err(failure.clone()));
        service(outbox, transport, vec![smtp(&["ops@example.com"])])
            .run_once()
            .await
            .unwrap();
    }
}
