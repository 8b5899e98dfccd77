//! Per-client budgets: the reference's headers, 429 with `Retry-After`, a stricter budget for
//! password guessing, agents on a budget of their own, `X-Forwarded-For` believed only from
//! trusted proxies.

use std::net::SocketAddr;
use std::num::NonZeroU32;

use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use serde_json::json;
use slimrmm_test_db::TestDatabase;

use crate::helpers::{Reply, config_for, spawn_with};

fn budget(per_minute: u32) -> NonZeroU32 {
    NonZeroU32::new(per_minute).unwrap()
}

fn from(peer: &str, method: Method, path: &str) -> TestRequest {
    TestRequest::default()
        .method(method)
        .uri(path)
        .peer_addr(peer.parse::<SocketAddr>().unwrap())
}

fn number(reply: &Reply, name: &str) -> u64 {
    reply
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[actix_web::test]
async fn every_api_answer_counts_down_and_the_excess_is_refused_with_retry_after() {
    let db = TestDatabase::new();
    let mut config = config_for(&db);
    config.rate_limit_per_minute = budget(3);
    let app = spawn_with(db, config).await;

    for left in [2, 1, 0] {
        let reply = app
            .send(from("198.51.100.1:4000", Method::GET, "/api/v1/auth/me"))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(number(&reply, "x-ratelimit-limit"), 3);
        assert_eq!(number(&reply, "x-ratelimit-remaining"), left);
        let reset = number(&reply, "x-ratelimit-reset");
        assert!((unix_now()..=unix_now() + 61).contains(&reset), "{reset}");
    }
    let refused = app
        .send(from("198.51.100.1:4001", Method::GET, "/api/v1/agents"))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "RATE_LIMITED");
    assert_eq!(refused.body["status"], "error");
    let wait = number(&refused, "retry-after");
    assert!((1..=20).contains(&wait), "{wait}");
    assert_eq!(number(&refused, "x-ratelimit-remaining"), 0);

    // Another client, and the health checks, are not affected.
    let other = app
        .send(from("198.51.100.2:4000", Method::GET, "/api/v1/auth/me"))
        .await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    let health = app
        .send(from("198.51.100.1:4002", Method::GET, "/healthz"))
        .await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.headers.get("x-ratelimit-limit").is_none());

    // IPv6 clients are limited per /64: a neighbour in the same /64 shares the budget.
    for _ in 0..3 {
        app.send(from(
            "[2001:db8:1:2::1]:4000",
            Method::GET,
            "/api/v1/agents",
        ))
        .await;
    }
    let neighbour = app
        .send(from(
            "[2001:db8:1:2::ffff]:4000",
            Method::GET,
            "/api/v1/agents",
        ))
        .await;
    assert_eq!(neighbour.status, StatusCode::TOO_MANY_REQUESTS);
    let elsewhere = app
        .send(from(
            "[2001:db8:1:3::1]:4000",
            Method::GET,
            "/api/v1/agents",
        ))
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn password_guessing_meets_a_stricter_budget_that_leaves_the_rest_alone() {
    let db = TestDatabase::new();
    let mut config = config_for(&db);
    config.auth_rate_limit_per_minute = budget(2);
    config.rate_limit_per_minute = budget(100);
    config.agent_rate_limit_per_minute = budget(100);
    let app = spawn_with(db, config).await;
    let guess = || {
        from("203.0.113.7:5000", Method::POST, "/api/v1/auth/login")
            .set_json(json!({"username": "admin", "password": "not the password"}))
    };
    for _ in 0..2 {
        let reply = app.send(guess()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(number(&reply, "x-ratelimit-limit"), 2);
    }
    let refused = app.send(guess()).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "RATE_LIMITED");
    // Spelling the path differently does not reach another budget.
    let encoded = app
        .send(
            from("203.0.113.7:5000", Method::POST, "/api/v1/auth/logi%6E")
                .set_json(json!({"username": "admin", "password": "not the password"})),
        )
        .await;
    assert_eq!(encoded.status, StatusCode::TOO_MANY_REQUESTS);
    let forgot = app
        .send(
            from(
                "203.0.113.7:5000",
                Method::POST,
                "/api/v1/auth/forgot-password",
            )
            .set_json(json!({"email": "admin@example.com"})),
        )
        .await;
    assert_eq!(forgot.status, StatusCode::TOO_MANY_REQUESTS);

    // The same client still reads the API, and its agents still enroll: other budgets.
    let read = app
        .send(from("203.0.113.7:5000", Method::GET, "/api/v1/auth/me"))
        .await;
    assert_eq!(read.status, StatusCode::UNAUTHORIZED);
    assert_eq!(number(&read, "x-ratelimit-limit"), 100);
    let enroll = app
        .send(
            from("203.0.113.7:5000", Method::POST, "/api/v1/enrollment/register")
                .insert_header(("X-Registration-Key", "not-a-token"))
                .set_json(json!({"hostname": "h", "os": "linux", "arch": "x86_64", "agent_version": "2.3.14"})),
        )
        .await;
    assert_ne!(enroll.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(number(&enroll, "x-ratelimit-limit"), 100);
}

#[actix_web::test]
async fn forwarded_for_separates_clients_only_behind_a_trusted_proxy() {
    let db = TestDatabase::new();
    let mut config = config_for(&db);
    config.rate_limit_per_minute = budget(1);
    config.trusted_proxies = vec!["10.0.0.0/8".parse().unwrap()];
    let app = spawn_with(db, config).await;
    let via = |peer: &str, client: &str| {
        from(peer, Method::GET, "/api/v1/auth/me").insert_header(("X-Forwarded-For", client))
    };
    // Two users behind the proxy each have their own budget.
    assert_eq!(
        app.send(via("10.0.0.2:80", "198.51.100.10")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(via("10.0.0.2:80", "198.51.100.11")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(via("10.0.0.2:80", "198.51.100.10")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A forged line before the proxy's own line does not help either.
    let forged = from("10.0.0.2:80", Method::GET, "/api/v1/auth/me")
        .insert_header(("X-Forwarded-For", "198.51.100.99"))
        .append_header(("X-Forwarded-For", "198.51.100.10"));
    assert_eq!(app.send(forged).await.status, StatusCode::TOO_MANY_REQUESTS);
    // A client that is not a proxy cannot pick a fresh identity with the header.
    assert_eq!(
        app.send(via("192.0.2.50:80", "198.51.100.20")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.send(via("192.0.2.50:80", "198.51.100.21")).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[actix_web::test]
async fn each_api_key_has_a_budget_of_its_own_and_made_up_keys_pay_from_their_address() {
    let db = TestDatabase::new();
    let mut config = config_for(&db);
    config.rate_limit_per_minute = budget(4);
    let app = spawn_with(db, config).await;
    let admin = app.admin().await;
    let mut keys = Vec::new();
    for name in ["first", "second"] {
        let reply = app
            .post("/api/v1/api-keys", Some(&admin), json!({"name": name}))
            .await;
        keys.push(reply.data()["key"].as_str().unwrap().to_owned());
    }
    let with_key = |peer: &str, key: &str| {
        from(peer, Method::GET, "/api/v1/agents").insert_header(("X-API-Key", key.to_owned()))
    };
    // A key's first use, before it is known good, is paid by its address.
    for key in &keys {
        let first = app.send(with_key("203.0.113.50:4000", key)).await;
        assert_eq!(first.status, StatusCode::OK);
    }
    for _ in 0..4 {
        let reply = app.send(with_key("198.51.100.7:4000", &keys[0])).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let spent = app.send(with_key("198.51.100.7:4000", &keys[0])).await;
    assert_eq!(spent.status, StatusCode::TOO_MANY_REQUESTS);
    // Another key from the same address, and the address itself, still have theirs.
    let other = app.send(with_key("198.51.100.7:4000", &keys[1])).await;
    assert_eq!(other.status, StatusCode::OK);
    assert_eq!(number(&other, "x-ratelimit-remaining"), 3);
    let session = from("198.51.100.7:4000", Method::GET, "/api/v1/agents")
        .insert_header(("Authorization", format!("Bearer {admin}")));
    assert_eq!(app.send(session).await.status, StatusCode::OK);

    // Keys made up on the spot buy no budget: their address pays for each.
    for attempt in 0..4 {
        let made_up = format!("srk_madeupkey{attempt:020}");
        let refused = app.send(with_key("198.51.100.8:4000", &made_up)).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app
        .send(with_key(
            "198.51.100.8:4000",
            "srk_madeupkey99999999999999999999",
        ))
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
}
