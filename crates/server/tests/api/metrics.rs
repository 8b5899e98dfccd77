//! `GET /metrics`: Prometheus text with requests by route pattern and status, latency,
//! connected agents, heartbeats, executions by state, the outbox and the database pool.

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use serde_json::json;
use slimrmm_agent_sim::{AgentSocket, stats_heartbeat};

use crate::helpers::spawn;
use crate::live::hello;

pub(crate) async fn scrape<S, B>(app: &crate::helpers::TestApp<S>) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let request = TestRequest::default().method(Method::GET).uri("/metrics");
    let response = actix_web::test::call_service(&app.service, request.to_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    String::from_utf8(actix_web::test::read_body(response).await.to_vec()).unwrap()
}

pub(crate) fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|value| value.trim().parse().ok())
}

#[actix_web::test]
async fn operators_see_requests_agents_heartbeats_executions_and_the_pool() {
    let app = spawn().await;
    let base = app.serve();
    let admin = app.admin().await;
    let online = app.approved_agent("web-01").await;
    let offline = app.approved_agent("web-02").await;

    // Requests are labelled by route pattern, never by the raw id.
    app.get(&format!("/api/v1/agents/{offline}"), &admin).await;
    app.call(Method::GET, "/api/v1/auth/me", None, None).await;
    let queued = app
        .post(
            &format!("/api/v1/agents/{offline}/action"),
            Some(&admin),
            json!({"action": "ping"}),
        )
        .await;
    assert_eq!(queued.status, StatusCode::ACCEPTED, "{}", queued.body);

    let mut socket = AgentSocket::connect(&base, online).await.unwrap();
    hello(&mut socket).await;
    socket
        .send(&stats_heartbeat("2.3.14", 12.5, 1))
        .await
        .unwrap();

    let text = eventually!({
        let text = scrape(&app).await;
        value(&text, r#"slimrmm_agent_heartbeats_total{kind="stats"}"#)
            .is_some()
            .then_some(text)
    });
    assert_eq!(
        value(
            &text,
            r#"slimrmm_http_requests_total{method="GET",route="/api/v1/agents/{uuid}",status="200"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        !text.contains(&offline.to_string()),
        "a raw id leaked into a label"
    );
    assert_eq!(
        value(
            &text,
            r#"slimrmm_http_requests_total{method="GET",route="/api/v1/auth/me",status="401"}"#
        ),
        Some(1.0)
    );
    assert!(text.contains("slimrmm_http_request_duration_seconds_bucket{"));
    assert_eq!(value(&text, "slimrmm_agents_connected"), Some(1.0));
    assert_eq!(
        value(&text, r#"slimrmm_executions_active{status="queued"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(&text, r#"slimrmm_executions_last_hour{status="queued"}"#),
        Some(1.0)
    );
    let pool = |status: &str| {
        value(
            &text,
            &format!(r#"slimrmm_database_connections{{status="{status}"}}"#),
        )
        .unwrap()
    };
    assert!(pool("max") >= 1.0 && pool("open") <= pool("max") && pool("idle") <= pool("open"));
    assert!(
        value(
            &text,
            r#"slimrmm_notification_deliveries{status="pending"}"#
        )
        .is_some()
    );
    assert!(value(&text, "slimrmm_notifications_unrouted").is_some());
}
