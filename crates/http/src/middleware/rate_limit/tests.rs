use super::*;

fn nz(value: u32) -> NonZeroU32 {
    NonZeroU32::new(value).unwrap()
}

#[test]
fn a_budget_counts_down_then_refuses_with_a_wait() {
    let budget = Budget::per_minute(nz(3));
    let client = ClientKey::V4(1);
    let remaining: Vec<u32> = (0..3).map(|_| budget.check(client).remaining).collect();
    assert_eq!(remaining, [2, 1, 0]);
    let refused = budget.check(client);
    assert_eq!(refused.remaining, 0);
    assert!(
        refused
            .retry_after
            .is_some_and(|wait| (1..=20).contains(&wait))
    );
    assert!(refused.reset > unix_now().as_secs());
    // Another client is not affected.
    assert_eq!(budget.check(ClientKey::V4(2)).remaining, 2);
}

#[test]
fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
    let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
    let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
    let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
    assert_eq!(ClientKey::from(a), ClientKey::from(b));
    assert_ne!(ClientKey::from(a), ClientKey::from(c));
    let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
    let v4: IpAddr = "10.0.0.1".parse().unwrap();
    assert_eq!(ClientKey::from(mapped), ClientKey::from(v4));
}

#[test]
fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let proxies: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
    let proxy: IpAddr = "10.0.0.2".parse().unwrap();
    let stranger: IpAddr = "203.0.113.9".parse().unwrap();
    let chain = Some("198.51.100.7, 10.0.0.5");
    assert_eq!(
        client_ip(Some(proxy), chain, &proxies),
        Some("198.51.100.7".parse().unwrap())
    );
    assert_eq!(client_ip(Some(stranger), chain, &proxies), Some(stranger));
    assert_eq!(client_ip(Some(proxy), None, &proxies), Some(proxy));
    // A forged left-most entry does not help: the right-most untrusted hop is the client.
    assert_eq!(
        client_ip(Some(proxy), Some("1.2.3.4, 198.51.100.7"), &proxies),
        Some("198.51.100.7".parse().unwrap())
    );
}

#[test]
fn requests_draw_on_the_budget_of_their_kind() {
    let limits = RateLimits::new(nz(60), nz(10), nz(600), Arc::from(Vec::new()));
    let per_minute = |method: Method, path: &str| {
        limits
            .budget_for(&method, path)
            .map(|budget| budget.per_minute.get())
    };
    assert_eq!(per_minute(Method::POST, "/api/v1/auth/login"), Some(10));
    assert_eq!(
        per_minute(Method::POST, "/api/v1/auth/reset-password"),
        Some(10)
    );
    assert_eq!(per_minute(Method::POST, "/api/v1/auth/refresh"), Some(60));
    assert_eq!(per_minute(Method::GET, "/api/v1/agents"), Some(60));
    assert_eq!(per_minute(Method::GET, "/api/v1/ws/agent"), Some(600));
    assert_eq!(
        per_minute(Method::POST, "/api/v1/enrollment/register"),
        Some(600)
    );
    assert_eq!(
        per_minute(Method::POST, "/api/v1/agents/x/renew-cert"),
        Some(600)
    );
    assert_eq!(per_minute(Method::GET, "/healthz"), None);
    assert_eq!(per_minute(Method::GET, "/docs/"), None);
}

#[test]
fn idle_clients_are_forgotten() {
    let budget = Budget::per_minute(nz(600));
    budget.check(ClientKey::V4(7));
    assert_eq!(budget.clients(), 1);
    // A new client's state is whole again two intervals (2 × 100 ms) after its request.
    std::thread::sleep(Duration::from_millis(350));
    budget.forget_idle();
    assert_eq!(budget.clients(), 0);
}
