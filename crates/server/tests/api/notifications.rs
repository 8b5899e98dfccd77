//! Integrations, the outbox and delivery, against an SMTP server and a Pushover stand-in on
//! real sockets.

use actix_web::http::StatusCode;
use serde_json::json;
use slimrmm_agent_sim::AgentSocket;
use slimrmm_domain::notification::OutboxRepository;

use crate::helpers::{
    MANUAL_OUTBOX, TEST_MASTER_KEY, config_for, spawn_manual_outbox, spawn_running,
};
use crate::live::hello;
use crate::sinks::{PushoverSink, Rcpt, SmtpSink};

const APP_TOKEN: &str = "azGDORePK8gMaC0QOYAMyEEuzJnyUi";
const USER_KEY: &str = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG";

#[actix_web::test]
async fn integrations_are_for_admins_checked_and_never_give_secrets_back() {
    let app = spawn_manual_outbox().await;
    let admin = app.admin().await;
    let listed = app.get("/api/v1/integrations", &admin).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.data()[0]["name"], "smtp");
    assert_eq!(listed.data()[0]["configured"], false);
    assert_eq!(listed.data()[1]["name"], "pushover");
    let (_, technician) = app.user_with_role("tom", "technician").await;
    assert_eq!(
        app.get("/api/v1/integrations", &technician).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/notifications", &technician).await.status,
        StatusCode::FORBIDDEN
    );

    let invalid = app
        .put(
            "/api/v1/integrations/smtp",
            &admin,
            json!({"enabled": true, "host": "mail example", "port": 70000, "security": "ssl",
                   "from_address": "nobody", "recipients": ["ops@example.test", "x"],
                   "events": ["agent_offline", "password_reset"], "min_severity": "loud"}),
        )
        .await;
    assert_eq!(
        invalid.fields(),
        vec![
            "host",
            "port",
            "security",
            "from_address",
            "recipients[1]",
            "events[1]",
            "min_severity"
        ]
    );
    let saved = app
        .put(
            "/api/v1/integrations/smtp",
            &admin,
            json!({"enabled": true, "host": "smtp.example.test", "port": 587, "security": "starttls",
                   "username": "rmm", "password": "hunter2-but-longer", "from_address": "rmm@example.test",
                   "recipients": ["ops@example.test"]}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.data()["settings"]["password_set"], true);
    assert!(!saved.body.to_string().contains("hunter2"));
    // Leaving the password out keeps it.
    let kept = app
        .put(
            "/api/v1/integrations/smtp",
            &admin,
            json!({"enabled": false, "host": "smtp.example.test", "port": 587, "security": "starttls",
                   "username": "rmm", "from_address": "rmm@example.test", "recipients": []}),
        )
        .await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(kept.data()["settings"]["password_set"], true);
    let stored = app.db.query_i64(
        "SELECT count(*) AS value FROM integrations WHERE position(convert_to('hunter2', 'UTF8') in secrets) > 0",
    );
    assert_eq!(stored, 0, "the password is sealed at rest");

    let bad_key = app
        .put(
            "/api/v1/integrations/pushover",
            &admin,
            json!({"enabled": true, "app_token": APP_TOKEN, "user_key": "too-short", "priority": 2}),
        )
        .await;
    assert_eq!(bad_key.fields(), vec!["user_key", "priority"]);
    let missing = app
        .put(
            "/api/v1/integrations/pushover",
            &admin,
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(missing.fields(), vec!["app_token", "user_key"]);
    let pushover = app
        .put(
            "/api/v1/integrations/pushover",
            &admin,
            json!({"enabled": true, "app_token": APP_TOKEN, "user_key": USER_KEY}),
        )
        .await;
    assert_eq!(pushover.status, StatusCode::OK);
    assert!(!pushover.body.to_string().contains(USER_KEY));
    assert_eq!(pushover.data()["settings"]["user_key_set"], true);
}

#[actix_web::test]
async fn test_messages_report_delivery_or_the_servers_error() {
    let pushover = PushoverSink::start();
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = config_for(&db);
    config.pushover_api_url = pushover.url.clone();
    let app = spawn_running(db, config, MANUAL_OUTBOX).await;
    let admin = app.admin().await;
    let not_configured = app
        .post("/api/v1/integrations/smtp/test", Some(&admin), json!({}))
        .await;
    assert_eq!(
        (not_configured.status, not_configured.code()),
        (StatusCode::CONFLICT, "NOT_CONFIGURED")
    );
    assert_eq!(
        app.post("/api/v1/integrations/fax/test", Some(&admin), json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let smtp = SmtpSink::start().await;
    app.use_smtp(smtp.port, &["ops@example.test", "lead@example.test"])
        .await;
    let sent = app
        .post("/api/v1/integrations/smtp/test", Some(&admin), json!({}))
        .await;
    assert_eq!(sent.data()["delivered"], true, "{}", sent.body);
    let mail = &smtp.mails()[0];
    assert_eq!(mail.to, vec!["ops@example.test", "lead@example.test"]);
    assert!(mail.from.contains("rmm@example.test"));
    assert_eq!(mail.subject(), "[SlimRMM] Test message");
    assert!(mail.text().contains("this integration delivers"));
    let listed = app.get("/api/v1/integrations", &admin).await;
    assert_eq!(listed.data()[0]["last_result"]["ok"], true);

    // A server that does not offer STARTTLS is refused, not used in the clear.
    app.put(
        "/api/v1/integrations/smtp",
        &admin,
        json!({"enabled": true, "host": "127.0.0.1", "port": smtp.port, "security": "starttls",
               "from_address": "rmm@example.test", "recipients": ["ops@example.test"]}),
    )
    .await;
    let refused = app
        .post("/api/v1/integrations/smtp/test", Some(&admin), json!({}))
        .await;
    assert_eq!(refused.data()["delivered"], false);
    assert!(!refused.data()["error"].as_str().unwrap().is_empty());
    assert_eq!(smtp.mails().len(), 1, "nothing was sent without TLS");

    app.put(
        "/api/v1/integrations/pushover",
        &admin,
        json!({"enabled": true, "app_token": APP_TOKEN, "user_key": USER_KEY, "device": "phone", "priority": 1}),
    )
    .await;
    let pushed = app
        .post(
            "/api/v1/integrations/pushover/test",
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(pushed.data()["delivered"], true, "{}", pushed.body);
    let form = &pushover.forms()[0];
    assert_eq!(form["token"], APP_TOKEN);
    assert_eq!(form["user"], USER_KEY);
    assert_eq!(form["device"], "phone");
    assert_eq!(form["priority"], "1");
    assert_eq!(form["title"], "[SlimRMM] Test message");
    pushover.answer(&[400]);
    let rejected = app
        .post(
            "/api/v1/integrations/pushover/test",
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(rejected.data()["delivered"], false);
    assert!(rejected.data()["error"].as_str().unwrap().contains("400"));
}

#[actix_web::test]
async fn alerts_reach_pushover_and_a_storm_of_offline_agents_is_one_mail() {
    let pushover = PushoverSink::start();
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = config_for(&db);
    config.pushover_api_url = pushover.url.clone();
    let app = spawn_running(db, config, MANUAL_OUTBOX).await;
    let admin = app.admin().await;
    let smtp = SmtpSink::start().await;
    app.use_smtp(smtp.port, &["ops@example.test"]).await;
    app.put(
        "/api/v1/integrations/pushover",
        &admin,
        json!({"enabled": true, "app_token": APP_TOKEN, "user_key": USER_KEY,
               "events": ["threshold_alert"], "min_severity": "critical"}),
    )
    .await;

    let uuid = app.agent_with("db-1", "linux", &[]).await;
    let base = app.serve();
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    socket
        .send(
            &json!({"action": "threshold_alert", "metric": "disk", "severity": "critical",
                      "current_value": 97.0, "threshold": 95.0, "duration_seconds": 120,
                      "message": "disk / is <b>97%</b> full"}),
        )
        .await
        .unwrap();
    socket
        .send(
            &json!({"action": "threshold_alert", "metric": "cpu", "severity": "warning",
                      "current_value": 85.0, "threshold": 80.0, "message": "cpu busy"}),
        )
        .await
        .unwrap();
    eventually!({
        app.delivery.run_once().await.unwrap();
        (!pushover.forms().is_empty() && !smtp.mails().is_empty()).then_some(())
    });
    let forms = pushover.forms();
    assert_eq!(forms.len(), 1, "only the critical alert is pushed");
    assert!(
        forms[0]["title"].contains("disk critical"),
        "{:?}",
        forms[0]
    );
    assert!(forms[0]["url"].starts_with("https://rmm.example.test/"));
    let mail = smtp.mails().concat_text();
    assert!(
        mail.contains("&lt;b&gt;97%&lt;/b&gt;"),
        "HTML escapes agent text"
    );

    // Thirty agents fall silent at once: one mail, not thirty.
    app.db.execute(&slimrmm_test_db::seed_agents_sql(120));
    let before = smtp.mails().len();
    app.state.gateway.sweep().await.unwrap();
    let offline = app
        .outbox_kinds()
        .await
        .iter()
        .filter(|kind| *kind == "agent_offline")
        .count();
    assert!(offline >= 25, "{offline} agents went offline");
    eventually!({
        app.delivery.run_once().await.unwrap();
        (smtp.mails().len() > before).then_some(())
    });
    app.delivery.run_once().await.unwrap();
    let storm: Vec<_> = smtp.mails()[before..]
        .iter()
        .filter(|mail| mail.subject().contains("went offline"))
        .cloned()
        .collect();
    assert_eq!(storm.len(), 1, "grouped into one message");
    assert_eq!(
        storm[0].subject(),
        format!("[SlimRMM] {offline} agents went offline")
    );
    assert!(storm[0].text().contains("and ") && storm[0].text().contains(" more"));
}

trait Concat {
    fn concat_text(&self) -> String;
}

impl Concat for Vec<crate::sinks::Mail> {
    fn concat_text(&self) -> String {
        self.iter().map(crate::sinks::Mail::text).collect()
    }
}

#[actix_web::test]
async fn failures_are_retried_or_dead_lettered_as_the_server_answers() {
    let pushover = PushoverSink::start();
    let db = slimrmm_test_db::TestDatabase::new();
    let mut config = config_for(&db);
    config.pushover_api_url = pushover.url.clone();
    let app = spawn_running(db, config, MANUAL_OUTBOX).await;
    let admin = app.admin().await;
    app.put(
        "/api/v1/integrations/pushover",
        &admin,
        json!({"enabled": true, "app_token": APP_TOKEN, "user_key": USER_KEY,
               "events": ["agent_pending_approval"], "min_severity": "info"}),
    )
    .await;
    let key = app
        .enrollment_token(&admin, json!({"name": "manual", "auto_approve": false}))
        .await;
    pushover.answer(&[503]);
    app.enroll(&key, "waiting-1").await;
    app.delivery.run_once().await.unwrap();
    let outbox = app.get("/api/v1/notifications", &admin).await;
    let delivery = &outbox.data()["items"][0]["deliveries"][0];
    assert_eq!(outbox.data()["items"][0]["kind"], "agent_pending_approval");
    assert_eq!(
        (delivery["status"].as_str(), delivery["attempts"].as_u64()),
        (Some("pending"), Some(1)),
        "a 5xx is retried later"
    );
    assert!(delivery["last_error"].as_str().unwrap().contains("503"));
    assert!(delivery["next_attempt_at"].is_string());
    app.db.execute(
        "UPDATE notification_deliveries SET next_attempt_at = now() - interval '1 second'",
    );
    app.delivery.run_once().await.unwrap();
    let outbox = app.get("/api/v1/notifications?status=sent", &admin).await;
    assert_eq!(outbox.data()["total"], 1, "sent on the retry");
    assert_eq!(pushover.forms().len(), 2);

    pushover.answer(&[400]);
    app.enroll(&key, "waiting-2").await;
    app.delivery.run_once().await.unwrap();
    let dead = app.get("/api/v1/notifications?status=dead", &admin).await;
    assert_eq!(dead.data()["total"], 1, "a 4xx is not retried");

    // A mail server that keeps deferring: dead after the last attempt.
    let smtp = SmtpSink::start().await;
    app.use_smtp(smtp.port, &["ops@example.test"]).await;
    smtp.answer_rcpt(Rcpt::Defer);
    app.enroll(&key, "waiting-3").await;
    for _ in 0..8 {
        app.delivery.run_once().await.unwrap();
        app.db.execute(
            "UPDATE notification_deliveries SET next_attempt_at = now() - interval '1 second' \
             WHERE status = 'pending'",
        );
    }
    let mail = app
        .get(
            "/api/v1/notifications?status=dead&kind=agent_pending_approval",
            &admin,
        )
        .await;
    let smtp_delivery = mail.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|item| item["deliveries"].as_array().unwrap().clone())
        .find(|delivery| delivery["channel"] == "smtp")
        .expect("the mail delivery");
    assert_eq!(smtp_delivery["status"], "dead");
    assert_eq!(smtp_delivery["attempts"], 8);
    smtp.answer_rcpt(Rcpt::Reject);
    app.enroll(&key, "waiting-4").await;
    app.delivery.run_once().await.unwrap();
    let rejected = app.db.query_i64(
        "SELECT count(*) AS value FROM notification_deliveries \
         WHERE channel = 'smtp' AND status = 'dead' AND attempts = 1",
    );
    assert_eq!(rejected, 1, "a 550 is permanent");
}

#[actix_web::test]
async fn a_crashed_worker_loses_nothing_and_two_workers_send_each_mail_once() {
    let app = spawn_manual_outbox().await;
    let admin = app.admin().await;
    let smtp = SmtpSink::start().await;
    app.use_smtp(smtp.port, &[]).await;
    for i in 0..10 {
        let name = format!("user{i}");
        app.create_user(&admin, &name, "viewer").await;
        app.post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": format!("{name}@example.com")}),
        )
        .await;
    }
    // Worker A routes and claims everything, then dies before sending.
    let master =
        std::sync::Arc::new(slimrmm_crypto::MasterKey::from_encoded(TEST_MASTER_KEY).unwrap());
    let worker_a = slimrmm_persistence::PgOutboxRepository::new(app.db.pool(), master);
    let now = chrono::Utc::now();
    for unrouted in worker_a.unrouted(100).await.unwrap() {
        worker_a
            .route(
                unrouted.id,
                &[slimrmm_domain::notification::Channel::Smtp],
                now,
            )
            .await
            .unwrap();
    }
    let claimed = worker_a
        .claim(now, chrono::TimeDelta::minutes(2), 100)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 10);
    drop(worker_a);
    app.delivery.run_once().await.unwrap();
    assert!(
        smtp.mails().is_empty(),
        "the dead worker's lease still holds"
    );

    // The lease runs out: two workers race for the deliveries.
    app.db
        .execute("UPDATE notification_deliveries SET locked_until = now() - interval '1 second'");
    let second = slimrmm_server::wiring::assemble(&app.config, app.db.pool())
        .await
        .unwrap();
    let (a, b) = tokio::join!(app.delivery.run_once(), second.delivery.run_once());
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 10);
    let mut recipients: Vec<String> = smtp.mails().iter().map(|mail| mail.to.join(",")).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(smtp.mails().len(), 10, "each mail once");
    assert_eq!(recipients.len(), 10);
    let sealed = app
        .db
        .query_i64("SELECT count(*) AS value FROM notifications WHERE secret IS NOT NULL");
    assert_eq!(sealed, 0, "delivered tokens are wiped from the outbox");
}

#[actix_web::test]
async fn waiting_agents_and_failed_runs_are_notified() {
    let app = spawn_manual_outbox().await;
    let admin = app.admin().await;
    let key = app
        .enrollment_token(&admin, json!({"name": "manual", "auto_approve": false}))
        .await;
    app.enroll(&key, "new-pc").await;
    let uuid = app.agent_with("runner", "linux", &[]).await;
    let script = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Slow", "script_type": "bash", "content": "sleep 9 # SIMULATE_TIMEOUT"}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = app.serve();
    let mut socket = AgentSocket::connect(&base, uuid).await.unwrap();
    hello(&mut socket).await;
    app.post(
        &format!("/api/v1/scripts/{script}/execute"),
        Some(&admin),
        json!({"agent_uuids": [uuid]}),
    )
    .await;
    let frame = crate::live::request(&mut socket).await;
    for reply in slimrmm_agent_sim::answer(&frame, &mut slimrmm_agent_sim::AgentMemory::default()) {
        socket.send(&reply).await.unwrap();
    }
    let kinds = eventually!({
        let kinds = app.outbox_kinds().await;
        kinds.contains(&"run_failed".to_owned()).then_some(kinds)
    });
    assert!(kinds.contains(&"agent_pending_approval".to_owned()));
    let outbox = app
        .get("/api/v1/notifications?kind=run_failed", &admin)
        .await;
    assert_eq!(
        outbox.data()["items"][0]["summary"],
        "runner: execute_script timed_out"
    );
}
