use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};
use slimrmm_http::build_app;
use slimrmm_server::background::Tasks;
use slimrmm_server::config::Config;
use slimrmm_server::wiring;
use slimrmm_test_db::TestDatabase;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin password 123";
pub const PASSWORD: &str = "a perfectly good password";
/// 32 bytes of 0x42, hex: the master key of every test server.
pub const TEST_MASTER_KEY: &str =
    "4242424242424242424242424242424242424242424242424242424242424242";

/// An answer: status, headers and the JSON body (`Value::Null` when empty or not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// `data` of a success envelope, after checking the envelope.
    pub fn data(&self) -> &Value {
        assert_eq!(
            self.body["status"], "ok",
            "not a success envelope: {}",
            self.body
        );
        &self.body["data"]
    }

    /// `code` of an error envelope, after checking the envelope.
    pub fn code(&self) -> &str {
        assert_eq!(
            self.body["status"], "error",
            "not an error envelope: {}",
            self.body
        );
        assert!(
            self.body["detail"].is_string(),
            "error without detail: {}",
            self.body
        );
        self.body["code"].as_str().unwrap()
    }

    /// The fields named in a 422.
    pub fn fields(&self) -> Vec<&str> {
        assert_eq!(
            self.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            self.body
        );
        self.body["errors"]
            .as_array()
            .expect("a 422 lists its fields")
            .iter()
            .map(|error| error["field"].as_str().unwrap())
            .collect()
    }
}

pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

pub struct TestApp<S> {
    pub service: S,
    /// The outbox worker (tests run its rounds themselves, besides the background task).
    pub delivery: slimrmm_domain::notification::DeliveryService,
    pub config: Config,
    pub state: slimrmm_http::AppState,
    /// The agent CA (tests issue server certificates and odd client certificates with it).
    pub ca: slimrmm_crypto::AgentCa,
    pub _background: slimrmm_server::background::Background,
    pub db: TestDatabase,
}

/// A configuration pointing at `db`, with a known first admin.
pub fn config_for(db: &TestDatabase) -> Config {
    let mut config = Config::defaults();
    config.database_url = db.url().clone();
    config.admin_password = Some(ADMIN_PASSWORD.to_owned().into());
    config.admin_email = Some("admin@example.com".to_owned());
    config.secret_key = Some(TEST_MASTER_KEY.to_owned().into());
    config.debug = true;
    // Tests make many requests from one address; the rate-limit tests lower these.
    let generous = std::num::NonZeroU32::new(1_000_000).unwrap();
    config.rate_limit_per_minute = generous;
    config.auth_rate_limit_per_minute = generous;
    config.agent_rate_limit_per_minute = generous;
    config.public_url = Some("https://rmm.example.test".to_owned());
    config
}

/// A server on a fresh database, with the first admin bootstrapped.
pub async fn spawn() -> TestApp<
    impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
> {
    let db = TestDatabase::new();
    let config = config_for(&db);
    spawn_with(db, config).await
}

/// A server on `db` with `config`, with the first admin bootstrapped.
pub async fn spawn_with(
    db: TestDatabase,
    config: Config,
) -> TestApp<
    impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
> {
    spawn_running(db, config, Tasks::ALL).await
}

/// A server on a fresh database whose outbox is delivered only by the test's own
/// `delivery.run_once()` calls (no background worker races them).
pub async fn spawn_manual_outbox() -> TestApp<
    impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
> {
    let db = TestDatabase::new();
    let config = config_for(&db);
    spawn_running(db, config, MANUAL_OUTBOX).await
}

/// The background tasks of a test that delivers the outbox itself.
pub const MANUAL_OUTBOX: Tasks = Tasks { outbox: false };

/// A server on `db` with `config` running the background tasks `tasks`, with the first admin
/// bootstrapped.
pub async fn spawn_running(
    db: TestDatabase,
    config: Config,
    tasks: Tasks,
) -> TestApp<
    impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>,
> {
    let assembly = wiring::assemble(&config, db.pool()).await.unwrap();
    let background = assembly.start_tasks(&config, tasks);
    let ca = assembly.ca.clone();
    let state = assembly.state;
    wiring::bootstrap_admin(&config, &state.users)
        .await
        .unwrap();
    let service = test::init_service(build_app(state.clone())).await;
    TestApp {
        service,
        delivery: assembly.delivery,
        config,
        state,
        ca,
        _background: background,
        db,
    }
}

/// Serves `state` on a free loopback port (one worker); returns `http://127.0.0.1:port` and
/// the server's handle (stopping it without grace is a process dying).
pub fn serve_stoppable(state: &slimrmm_http::AppState) -> (String, actix_web::dev::ServerHandle) {
    let state = state.clone();
    let server = actix_web::HttpServer::new(move || build_app(state.clone()))
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://{address}"), handle)
}

/// Serves `state` on a free loopback port (one worker); returns `http://127.0.0.1:port`.
pub fn serve(state: &slimrmm_http::AppState) -> String {
    let state = state.clone();
    let server = actix_web::HttpServer::new(move || build_app(state.clone()))
        .workers(1)
        .disable_signals()
        .bind(("127.0.0.1", 0))
        .unwrap();
    let address = server.addrs()[0];
    actix_web::rt::spawn(server.run());
    format!("http://{address}")
}

impl<S, B> TestApp<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    /// Serves this app over loopback, for WebSocket clients.
    pub fn serve(&self) -> String {
        serve(&self.state)
    }

    /// An approved agent (enrolled with an auto-approving token): its uuid.
    pub async fn approved_agent(&self, hostname: &str) -> uuid::Uuid {
        let admin = self.admin().await;
        let key = self
            .enrollment_token(&admin, json!({"name": "fleet", "auto_approve": true}))
            .await;
        self.enroll(&key, hostname).await.uuid.parse().unwrap()
    }

    /// The kinds of every notification in the outbox, oldest first.
    pub async fn outbox_kinds(&self) -> Vec<String> {
        let admin = self.admin().await;
        let reply = self.get("/api/v1/notifications?per_page=100", &admin).await;
        reply.data()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["kind"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Points the SMTP integration at `port` on loopback (no TLS), alerts to `recipients`.
    pub async fn use_smtp(&self, port: u16, recipients: &[&str]) {
        let admin = self.admin().await;
        let reply = self
            .put(
                "/api/v1/integrations/smtp",
                &admin,
                json!({"enabled": true, "host": "127.0.0.1", "port": port, "security": "none",
                       "from_address": "rmm@example.test", "from_name": "SlimRMM",
                       "recipients": recipients, "min_severity": "info"}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    /// An approved agent on `os` carrying `tags`: its uuid.
    pub async fn agent_with(&self, hostname: &str, os: &str, tags: &[&str]) -> uuid::Uuid {
        let admin = self.admin().await;
        let body = json!({"name": format!("fleet {hostname}"), "auto_approve": true, "tags": tags});
        let key = self.enrollment_token(&admin, body).await;
        self.enroll_os(&key, hostname, os)
            .await
            .uuid
            .parse()
            .unwrap()
    }

    pub async fn send(&self, request: TestRequest) -> Reply {
        let response = test::call_service(&self.service, request.to_request()).await;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = test::read_body(response).await;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = TestRequest::default().method(method).uri(path);
        if let Some(token) = token {
            request = request.insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
        }
        if let Some(body) = body {
            request = request.set_json(body);
        }
        self.send(request).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    pub async fn delete_with(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::DELETE, path, Some(token), Some(body))
            .await
    }

    pub async fn me(&self, token: &str) -> Reply {
        self.get("/api/v1/auth/me", token).await
    }

    pub async fn refresh(&self, token: &str) -> Reply {
        self.call(Method::POST, "/api/v1/auth/refresh", Some(token), None)
            .await
    }

    pub async fn logout(&self, token: &str) -> Reply {
        self.call(Method::POST, "/api/v1/auth/logout", Some(token), None)
            .await
    }

    pub async fn try_login(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/v1/auth/login",
            None,
            json!({"username": username, "password": password}),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Tokens {
        let reply = self.try_login(username, password).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "login of {username} failed: {}",
            reply.body
        );
        Tokens {
            access: reply.body["access_token"].as_str().unwrap().to_owned(),
            refresh: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    pub async fn admin(&self) -> String {
        self.login(ADMIN, ADMIN_PASSWORD).await.access
    }

    /// Creates a user as the admin and returns its id.
    pub async fn create_user(&self, admin: &str, username: &str, role: &str) -> i64 {
        let body = json!({
            "username": username,
            "email": format!("{username}@example.com"),
            "password": PASSWORD,
            "role": role,
        });
        let reply = self.post("/api/v1/users/", Some(admin), body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.data()["id"].as_i64().unwrap()
    }

    /// A signed-in user of `role`: (id, access token).
    pub async fn user_with_role(&self, username: &str, role: &str) -> (i64, String) {
        let admin = self.admin().await;
        let id = self.create_user(&admin, username, role).await;
        (id, self.login(username, PASSWORD).await.access)
    }
}

/// What a registration answered.
pub struct Enrolled {
    pub uuid: String,
    pub registration_token: String,
    pub reregistration_secret: String,
    pub reply: Reply,
}

impl<S, B> TestApp<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    /// Creates an enrollment token as the admin; returns its secret.
    pub async fn enrollment_token(&self, admin: &str, body: Value) -> String {
        let reply = self
            .post("/api/v1/enrollment-tokens", Some(admin), body)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.data()["token"].as_str().unwrap().to_owned()
    }

    /// Registers exactly as the agent does (agent-protocol.md §1a).
    pub async fn register_as_agent(&self, path: &str, key: Option<&str>, body: Value) -> Reply {
        let mut request = TestRequest::post()
            .uri(path)
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .set_payload(body.to_string());
        if let Some(key) = key {
            request = request.insert_header(("X-Registration-Key", key));
        }
        self.send(request).await
    }

    /// Registers a new Linux agent with `key` and expects success.
    pub async fn enroll(&self, key: &str, hostname: &str) -> Enrolled {
        self.enroll_os(key, hostname, "linux").await
    }

    /// Registers a new agent on `os` with `key` and expects success.
    pub async fn enroll_os(&self, key: &str, hostname: &str, os: &str) -> Enrolled {
        let body = json!({
            "os": os, "arch": "x86_64", "hostname": hostname, "agent_version": "2.3.14", "token": key,
        });
        let reply = self
            .register_as_agent("/api/v1/enrollment/register", Some(key), body)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        Enrolled {
            uuid: reply.body["uuid"].as_str().unwrap().to_owned(),
            registration_token: reply.body["registration_token"]
                .as_str()
                .unwrap()
                .to_owned(),
            reregistration_secret: reply.body["reregistration_secret"]
                .as_str()
                .unwrap()
                .to_owned(),
            reply,
        }
    }

    /// A GET or POST with the agent's registration headers (agent-protocol.md §1b, §1c, §1e).
    pub async fn as_agent(&self, method: Method, path: &str, uuid: &str, token: &str) -> Reply {
        let request = TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header(("X-Agent-UUID", uuid))
            .insert_header(("X-Registration-Token", token));
        self.send(request).await
    }
}

/// The least role an OpenAPI operation declares for bearer callers
/// (`security: [{"bearer": ["technician"]}]`), if it takes one.
pub fn least_role(operation: &Value) -> Option<&str> {
    operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|requirement| requirement["bearer"].as_array())
        .and_then(|roles| roles.first())
        .and_then(Value::as_str)
}
