//! Embedding the SlimRMM domain: every port implemented in memory, in `adapters` and `memory`.
//!
//! The domain crate holds SlimRMM's rules and use cases; everything it needs from the outside
//! world is a port (a trait). The server plugs PostgreSQL, argon2, a real CA and SMTP into those
//! ports (`crates/server/src/wiring.rs`). This example plugs in adapters written right here
//! instead, and then runs the everyday path end to end:
//!
//! 1. the first admin is created, signs in, and sets up mail notifications;
//! 2. an admin creates a technician and an enrollment token; an agent registers with the token,
//!    waits for approval, is approved, and fetches its client certificate;
//! 3. the agent connects; a technician saves a script and runs it on the agent; the command is
//!    delivered on the agent's connection and the agent's reply (the JSON the real agent sends,
//!    `agent-protocol.md` §5) completes the execution;
//! 4. a patch policy is created and run; the agent's patching fails;
//! 5. the outbox worker delivers the notifications those changes wrote, through a "mail"
//!    transport that prints instead of sending.
//!
//! Run it (no database, no network):
//!
//! ```text
//! cargo run -p slimrmm-domain --example embed
//! ```
//!
//! Nothing here is private to the domain crate: the example sees only its public API, so it
//! also shows that no adapter type leaks into the domain. The services only ever hold
//! `Arc<dyn Port>`.
//!
//! The adapters are honest but small: [`MemoryDb`] keeps every table in one `Mutex`, so each port
//! method is one "transaction" (which is what lets a repository write a notification to the
//! outbox atomically with the change that caused it, as the port documentation requires). Lists
//! filter, search, sort and page in memory. The password hasher and the certificate authority
//! are toys and say so: do not copy them into anything real.

mod adapters;
mod memory;

use std::sync::Arc;

use anyhow::{Context, anyhow};
use chrono::{SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use slimrmm_domain::agent::{
    Agent, AgentFacts, AgentOs, AgentSelector, AgentService, AgentVersion, Arch, Hostname, Tags,
};
use slimrmm_domain::auth::{Actor, Session, SessionId, SessionRepository};
use slimrmm_domain::clock::{Clock, SystemClock};
use slimrmm_domain::enrollment::{
    AgentCredentials, CreateTokenRequest, EnrollmentService, EnrollmentSettings,
    RegistrationRequest, TokenName,
};
use slimrmm_domain::event::EventPublisher;
use slimrmm_domain::execution::{
    ConnectionId, ExecutionListQuery, ExecutionService, ExecutionSettings,
};
use slimrmm_domain::gateway::{GatewayPorts, GatewayService, GatewaySettings};
use slimrmm_domain::list::SortOrder;
use slimrmm_domain::notification::{
    DeliveryService, DeliverySettings, IntegrationService, OutboxListQuery, SmtpInput, Transport,
};
use slimrmm_domain::policy::{
    Policy, PolicyInput, PolicyPorts, PolicyRunRequest, PolicyService, PolicySettings,
    ScheduleInput, TargetsInput, WindowInput,
};
use slimrmm_domain::protocol::AgentMessage;
use slimrmm_domain::script::{ScriptInput, ScriptPorts, ScriptRunRequest, ScriptService};
use slimrmm_domain::user::{
    BootstrapAdmin, CreateUserRequest, Email, FullName, Password, PasswordHasher, Role,
    UserRepository, UserService, Username,
};

use adapters::{
    FakeCertificateAuthority, PrintedDisconnects, PrintingTransport, RecordedEvents,
    RecordingWaker, ToySha256Hasher, UuidSecrets,
};
use memory::MemoryDb;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("SlimRMM domain with in-memory adapters (no database, no network)\n");

    // ---- Wiring: the same services crates/server/src/wiring.rs builds, on other adapters ----
    let db = Arc::new(MemoryDb::default());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let printed = Arc::new(RecordedEvents::default());
    let events: Arc<dyn EventPublisher> = printed.clone();
    let waker = Arc::new(RecordingWaker::default());
    let transport: Arc<dyn Transport> = Arc::new(PrintingTransport);
    let hasher = Arc::new(ToySha256Hasher);
    let execution_settings = ExecutionSettings::default();

    let users = UserService::new(db.clone(), db.clone(), hasher.clone(), clock.clone());
    let enrollment = EnrollmentService::new(
        db.clone(),
        db.clone(),
        Arc::new(FakeCertificateAuthority),
        Arc::new(UuidSecrets),
        events.clone(),
        clock.clone(),
        EnrollmentSettings::default(),
    );
    let agents = AgentService::new(db.clone(), Arc::new(PrintedDisconnects), clock.clone());
    let gateway = GatewayService::new(
        GatewayPorts {
            agents: db.clone(),
            presence: db.clone(),
            executions: db.clone(),
            heartbeats: db.clone(),
            inventories: db.clone(),
            alerts: db.clone(),
            events: events.clone(),
            clock: clock.clone(),
            processes: db.clone(),
        },
        GatewaySettings::default(),
        execution_settings,
    );
    let executions = ExecutionService::new(
        db.clone(),
        db.clone(),
        waker.clone(),
        events.clone(),
        clock.clone(),
        execution_settings,
    );
    let scripts = ScriptService::new(
        ScriptPorts {
            scripts: db.clone(),
            agents: db.clone(),
            executions: db.clone(),
            waker: waker.clone(),
            events: events.clone(),
            clock: clock.clone(),
        },
        execution_settings,
    );
    let policies = PolicyService::new(
        PolicyPorts {
            policies: db.clone(),
            agents: db.clone(),
            executions: db.clone(),
            waker: waker.clone(),
            events: events.clone(),
            clock: clock.clone(),
        },
        PolicySettings::default(),
        execution_settings,
    );
    let integrations =
        IntegrationService::new(db.clone(), db.clone(), transport.clone(), clock.clone());
    let delivery = DeliveryService::new(
        db.clone(),
        db.clone(),
        transport,
        clock.clone(),
        DeliverySettings::new("https://rmm.example.com"),
    );

    // ---- 1. The first admin ----
    let password = "correct horse battery staple";
    let admin = users
        .bootstrap_admin(BootstrapAdmin {
            username: Username::parse("alice")?,
            email: Some(Email::parse("alice@example.com")?),
            password: Password::parse(password)?,
        })
        .await?
        .ok_or_else(|| anyhow!("the store already had users"))?;
    println!(
        "1. created admin '{}' (id {}, role {})",
        admin.username, admin.id, admin.role
    );
    let alice = sign_in(db.as_ref(), db.as_ref(), hasher.as_ref(), "alice", password).await?;
    println!(
        "   alice signed in (session {}); her password is stored as a salted hash",
        alice.session_id
    );

    // ---- 2. Notifications go out by "mail" (the transport below prints instead) ----
    integrations
        .put_smtp(
            &alice,
            SmtpInput {
                enabled: true,
                host: "mail.example.com".into(),
                port: 587,
                security: "starttls".into(),
                from_address: "rmm@example.com".into(),
                recipients: vec!["ops@example.com".into()],
                min_severity: Some("info".into()),
                ..SmtpInput::default()
            },
        )
        .await?;
    println!("2. alice configured SMTP: every notification from 'info' up to ops@example.com");

    // ---- 3. A technician, who may run things but not manage enrollment ----
    let technician = users
        .create(
            &alice,
            CreateUserRequest {
                username: Username::parse("bob")?,
                email: Some(Email::parse("bob@example.com")?),
                full_name: Some(FullName::parse("Bob Builder")?),
                role: Role::Technician,
                is_active: true,
                password: Password::parse("bob's long passphrase")?,
            },
        )
        .await?;
    println!(
        "3. alice created '{}' (id {}, role {})",
        technician.username, technician.id, technician.role
    );
    let bob = sign_in(
        db.as_ref(),
        db.as_ref(),
        hasher.as_ref(),
        "bob",
        "bob's long passphrase",
    )
    .await?;

    // ---- 4. An enrollment token (admins only) ----
    let office = CreateTokenRequest {
        name: TokenName::parse("office laptops")?,
        auto_approve: false,
        tags: Tags::parse(&["office"])?,
        max_uses: Some(10),
        expires_at: Some(clock.now() + TimeDelta::days(7)),
    };
    match enrollment.create_token(&bob, office.clone()).await {
        Err(refused) => println!("4. bob may not create enrollment tokens: {refused}"),
        Ok(_) => return Err(anyhow!("a technician created an enrollment token")),
    }
    let token = enrollment.create_token(&alice, office).await?;
    println!(
        "   alice created enrollment token '{}' (id {}, manual approval, tag office); \
         its secret is shown once: {}...",
        token.token.name.as_str(),
        token.token.id,
        prefix(token.secret.expose(), 12)
    );

    // ---- 5. An agent registers with the token and waits ----
    let registration = enrollment
        .register(RegistrationRequest {
            facts: AgentFacts {
                hostname: Hostname::parse("web-01")?,
                os: AgentOs::Linux,
                arch: Arch::parse("x86_64")?,
                agent_version: AgentVersion::parse("2.3.14")?,
            },
            enrollment_key: Some(token.secret.expose().to_owned()),
            reinstall: None,
        })
        .await?;
    let agent_id = registration.agent.id;
    println!(
        "5. agent '{}' registered: uuid {agent_id}, status {}",
        registration.agent.facts.hostname,
        registration.agent.status.as_str()
    );
    printed.print();

    // ---- 6. Approval, then the agent fetches its client certificate ----
    let approved = agents.approve(&alice, agent_id).await?;
    println!(
        "6. alice approved {}: status {}",
        approved.facts.hostname,
        approved.status.as_str()
    );
    let uuid_header = agent_id.to_string();
    let credentials = AgentCredentials {
        agent: agent_id,
        header_uuid: Some(&uuid_header),
        registration_token: Some(registration.registration_token.expose()),
    };
    let polled = enrollment.enrollment_status(credentials).await?;
    let (_, certificate) = enrollment.fetch_certificate(credentials).await?;
    println!(
        "   the agent polled ({}) and fetched certificate {} valid until {} \
         (a FAKE one: this example's CA signs nothing)",
        polled.status.enrollment(),
        certificate.serial,
        certificate.not_after.format("%Y-%m-%d")
    );

    // ---- 7. The agent connects ----
    let connection = ConnectionId(Uuid::new_v4());
    let agent = gateway.admit(agent_id).await?;
    let frames = gateway.connected(&agent, connection).await?;
    println!(
        "7. {} connected: {} queued command(s) to send",
        agent.facts.hostname,
        frames.len()
    );
    printed.print();
    // What the real agent sends first (§9): its maintenance flag, then a heartbeat.
    for first in [
        json!({"action": "set_maintenance", "enabled": false, "reason": "Agent started successfully"}),
        json!({"action": "heartbeat", "type": "stats", "agent_version": "2.3.14",
               "stats": {"cpu_percent": 12.5, "memory_percent": 41.0,
                         "disk": [{"mountpoint": "/", "used_percent": 32.0}]}}),
    ] {
        gateway
            .received(&agent, AgentMessage::parse(first)?)
            .await?;
    }
    let online = agents.get(&bob, agent_id).await?;
    println!(
        "   it sent set_maintenance and a heartbeat; status {}, last seen {}",
        online.status.as_str(),
        online.last_seen_at.map_or("never".into(), |at| at
            .to_rfc3339_opts(SecondsFormat::Secs, true))
    );
    printed.print();

    // ---- 8. A script in the library ----
    let script = scripts
        .create(
            &bob,
            ScriptInput {
                name: "Disk usage".into(),
                description: Some("How full the root file system is".into()),
                script_type: "bash".into(),
                content: "df -h /".into(),
                timeout_seconds: Some(30),
                platforms: None,
                category: Some("diagnostics".into()),
            },
        )
        .await?;
    println!(
        "8. bob saved script '{}' ({}, timeout {} s, id {})",
        script.definition.name,
        script.definition.script_type,
        script.definition.timeout_seconds,
        script.id
    );

    // ---- 9. Run it on the agent ----
    let run = scripts
        .execute(
            &bob,
            script.id,
            ScriptRunRequest {
                targets: AgentSelector {
                    agents: vec![agent_id],
                    ..AgentSelector::default()
                },
                expires_in: None,
            },
        )
        .await?;
    let execution_id = run
        .executions
        .first()
        .map(|execution| execution.id)
        .context("the run queued no execution")?;
    println!(
        "9. bob queued it on {} agent(s) ({} offline): execution {execution_id}",
        run.executions.len(),
        run.offline
    );
    printed.print();

    // ---- 10. The connection delivers it; the agent answers ----
    println!("10. the agent's connection was woken; it sends:");
    let frames = deliver(&gateway, &waker, &printed, connection).await?;
    answer_as_the_agent(&gateway, &agent, &printed, &frames).await?;
    let done = executions.get(&bob, execution_id).await?;
    let result = done.result.clone().unwrap_or(Value::Null);
    println!(
        "    execution {} is {}: exit code {}, {} ms, output:",
        done.id,
        done.status.as_str(),
        result["exit_code"],
        result["duration_ms"]
    );
    for line in result["output"].as_str().unwrap_or_default().lines() {
        println!("      | {line}");
    }

    // ---- 11. A patch policy ----
    let policy = policies
        .create(
            &bob,
            PolicyInput {
                name: "Office security patches".into(),
                description: Some("Every update, Sunday nights".into()),
                enabled: true,
                targets: TargetsInput {
                    tags: vec!["office".into()],
                    ..TargetsInput::default()
                },
                categories: None,
                reboot: None,
                schedule: Some(ScheduleInput {
                    cron: "0 3 * * SUN".into(),
                    timezone: "Europe/Berlin".into(),
                }),
                maintenance_window: Some(WindowInput {
                    days: vec!["sun".into()],
                    start: "02:00".into(),
                    end: "05:00".into(),
                }),
                timeout_seconds: None,
            },
        )
        .await?;
    print_policy(&policy);

    // ---- 12. Run it now; this time the agent fails ----
    let started = policies
        .execute(&bob, policy.id, PolicyRunRequest::default())
        .await?;
    println!(
        "12. bob ran the policy now: run {} on {} agent(s)",
        started.run.id, started.run.target_count
    );
    for warning in &started.run.warnings {
        println!("    warning: {warning}");
    }
    printed.print();
    let frames = deliver(&gateway, &waker, &printed, connection).await?;
    answer_as_the_agent(&gateway, &agent, &printed, &frames).await?;
    let finished = policies.run(&bob, started.run.id).await?;
    println!(
        "    run status {}: {} completed, {} failed",
        finished.progress.status(),
        finished.progress.completed,
        finished.progress.failed
    );

    // ---- 13. The agent goes away ----
    gateway.disconnected(&agent, connection, false).await?;
    let offline = agents.get(&bob, agent_id).await?;
    println!(
        "13. {} disconnected: status {}",
        offline.facts.hostname,
        offline.status.as_str()
    );
    printed.print();

    // ---- 14. The outbox worker (the server runs this every few seconds) ----
    println!("14. one delivery round:");
    let report = delivery.run_once().await?;
    println!(
        "    routed {}, sent {} message(s) covering {} notification(s), {} to retry, {} dead",
        report.routed, report.messages, report.sent, report.retried, report.dead
    );

    // ---- 15. What the admin sees ----
    println!("15. the outbox, as alice lists it:");
    let outbox = integrations
        .outbox(&alice, &OutboxListQuery::default())
        .await?;
    for entry in &outbox.items {
        let deliveries: Vec<String> = entry
            .deliveries
            .iter()
            .map(|d| format!("{} {}", d.channel, d.status.as_str()))
            .collect();
        println!(
            "    #{} {} ({}): {} [{}]",
            entry.id,
            entry.kind,
            entry.severity,
            entry.summary,
            deliveries.join(", ")
        );
    }
    let history = executions
        .list(
            &bob,
            &ExecutionListQuery {
                sort_order: SortOrder::Asc,
                ..ExecutionListQuery::default()
            },
        )
        .await?;
    println!("    and {} execution(s) on record:", history.total);
    for execution in &history.items {
        println!(
            "    {} {} {}{}",
            execution.id,
            execution.action,
            execution.status.as_str(),
            execution
                .error
                .as_deref()
                .map(|error| format!(": {error}"))
                .unwrap_or_default()
        );
    }
    println!("\ndone.");
    Ok(())
}

/// What `AuthService::login` does in the server, minus the tokens (which need a
/// `TokenIssuer`): check the password, open a session, act as its user.
async fn sign_in(
    users: &dyn UserRepository,
    sessions: &dyn SessionRepository,
    hasher: &dyn PasswordHasher,
    username: &str,
    password: &str,
) -> anyhow::Result<Actor> {
    let credentials = users
        .find_credentials(&Username::parse(username)?)
        .await?
        .context("no such user")?;
    let candidate = Password::candidate(password).context("password too long")?;
    if !hasher
        .verify(&candidate, &credentials.password_hash)
        .await?
    {
        return Err(anyhow!("wrong password for {username}"));
    }
    if !credentials.user.is_active {
        return Err(anyhow!("{username}'s account is deactivated"));
    }
    let now = Utc::now();
    let session = Session {
        id: SessionId(Uuid::new_v4()),
        user_id: credentials.user.id,
        refresh_token_id: Uuid::new_v4(),
        created_at: now,
        expires_at: now + TimeDelta::days(7),
        revoked_at: None,
    };
    sessions.create(&session).await?;
    users.record_login(credentials.user.id, now).await?;
    Ok(Actor {
        user: credentials.user,
        session_id: session.id,
    })
}

/// What a connection task does when the waker fires: claim the agent's queued commands and
/// send them.
async fn deliver(
    gateway: &GatewayService,
    waker: &RecordingWaker,
    printed: &RecordedEvents,
    connection: ConnectionId,
) -> anyhow::Result<Vec<String>> {
    let mut frames = Vec::new();
    for agent in waker.take() {
        frames.extend(gateway.deliverable(agent, connection).await?);
    }
    for frame in &frames {
        println!("    -> {frame}");
    }
    printed.print();
    Ok(frames)
}

/// Plays the agent: answers each command frame with the two messages the real agent sends
/// (`agent-protocol.md` §3.2, §4, §5): the raw `*_result` first, then the generic response,
/// which repeats it and which the server ignores because the execution is already settled.
async fn answer_as_the_agent(
    gateway: &GatewayService,
    agent: &Agent,
    printed: &RecordedEvents,
    frames: &[String],
) -> anyhow::Result<()> {
    for frame in frames {
        let command: Value = serde_json::from_str(frame)?;
        let action = command["action"].as_str().unwrap_or_default();
        let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let (raw_action, data) = match action {
            "execute_script" => (
                "script_execution_result",
                json!({
                    "execution_id": command["execution_id"],
                    "status": "completed",
                    "exit_code": 0,
                    "output": "Filesystem      Size  Used Avail Use% Mounted on\n\
                               /dev/sda1        40G   12G   26G  32% /\n",
                    "error_output": "",
                    "started_at": now,
                    "completed_at": now,
                    "duration_ms": 12,
                }),
            ),
            "execute_patches" => (
                "patch_execution_result",
                json!({
                    "execution_id": command["execution_id"],
                    "status": "failed",
                    "output": "",
                    "error_output": "E: Could not get lock /var/lib/dpkg/lock-frontend. \
                                     It is held by process 812 (unattended-upgr)",
                    "patches_installed": [],
                    "patches_failed": [],
                    "reboot_required": false,
                    "duration_ms": 1840,
                }),
            ),
            other => return Err(anyhow!("this pretend agent does not know {other:?}")),
        };
        let mut raw = data.clone();
        if let Some(fields) = raw.as_object_mut() {
            fields.insert("action".into(), raw_action.into());
        }
        let generic = json!({
            "action": action,
            "request_id": command["request_id"],
            "success": true,
            "data": data,
        });
        for reply in [raw, generic] {
            println!("    <- {}", reply["action"].as_str().unwrap_or_default());
            gateway.received(agent, AgentMessage::parse(reply)?).await?;
            printed.print();
        }
    }
    Ok(())
}

fn print_policy(policy: &Policy) {
    let definition = &policy.definition;
    let tags: Vec<&str> = definition.targets.tags.iter().map(|t| t.as_str()).collect();
    let categories: Vec<&str> = definition.categories.iter().map(|c| c.as_str()).collect();
    println!(
        "11. bob created patch policy '{}' (id {})",
        definition.name, policy.id
    );
    println!(
        "    targets tag(s) {}; categories {}; reboot {}; timeout {} s",
        tags.join(", "),
        categories.join(", "),
        if definition.reboot.sent_enabled() {
            definition.reboot.condition.as_str()
        } else {
            "never"
        },
        definition.timeout_seconds
    );
    if let Some(schedule) = &definition.schedule {
        println!(
            "    schedule '{}' ({}), next slot {}",
            schedule.expression(),
            schedule.timezone(),
            policy.next_run_at.map_or("none".into(), |at| at
                .to_rfc3339_opts(SecondsFormat::Secs, true))
        );
    }
}

fn prefix(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}
