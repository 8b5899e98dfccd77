use serde_json::json;
use slimrmm_domain::agent::{AgentRepository, AgentStatus};
use slimrmm_domain::health::{DropReason, DroppedKind, DroppedRecords};
use slimrmm_domain::protocol::{Heartbeat, HeartbeatKind};
use slimrmm_domain::telemetry::{HeartbeatSink, ReceivedHeartbeat};
use slimrmm_domain::user::Role;
use slimrmm_persistence::{
    HeartbeatWriter, PgAgentRepository, PgEnrollmentTokenRepository, PgUserRepository,
};
use slimrmm_test_db::TestDatabase;

use crate::support::{create, new_agent, now, token};

fn heartbeat(stats: serde_json::Value) -> Heartbeat {
    Heartbeat {
        kind: HeartbeatKind::Stats,
        agent_version: None,
        stats: Some(stats),
        sample: None,
        external_ip: None,
        serial_number: None,
        blocks: Vec::new(),
    }
}

#[tokio::test]
async fn a_row_the_database_refuses_is_dropped_alone_and_counted() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let (token, _) = token(&PgEnrollmentTokenRepository::new(db.pool()), admin.id, None).await;
    let agents = PgAgentRepository::new(db.pool());
    let mut fleet = Vec::new();
    for i in 0..41 {
        let agent = new_agent(&token, &format!("host-{i}"), AgentStatus::Offline);
        fleet.push(agents.enroll(&agent, None, now()).await.unwrap().id);
    }
    let dropped = DroppedRecords::default();
    let writer = HeartbeatWriter::new(db.pool(), dropped.clone());
    // The agent protocol parser replaces U+0000; a row it missed must still not block the
    // others: jsonb refuses "\u0000" and fails the whole statement.
    let poisoned = fleet[17];
    for (i, agent) in fleet.iter().enumerate() {
        let stats = if *agent == poisoned {
            json!({"timezone": "Europe/\u{0}Berlin"})
        } else {
            json!({"process_count": i})
        };
        writer.submit(ReceivedHeartbeat {
            agent: *agent,
            at: now(),
            heartbeat: heartbeat(stats),
        });
    }
    let flushed = writer.flush().await.unwrap();
    assert_eq!(flushed.written, 40);
    assert_eq!(
        flushed.heard_while_offline.len(),
        40,
        "the agents were offline: the gateway decides what that means"
    );
    assert_eq!(
        writer.pending(),
        0,
        "the refused row is not retried forever"
    );
    assert_eq!(
        dropped.count(DroppedKind::Heartbeat, DropReason::Unstorable),
        1
    );
    let stored =
        db.query_i64("SELECT count(*) AS value FROM agent_state WHERE stats ? 'process_count'");
    assert_eq!(stored, 40, "every healthy agent's heartbeat landed");

    // The next round is whole again.
    for agent in &fleet {
        writer.submit(ReceivedHeartbeat {
            agent: *agent,
            at: now(),
            heartbeat: heartbeat(json!({"process_count": 1000})),
        });
    }
    let flushed = writer.flush().await.unwrap();
    assert_eq!(flushed.written, 41);
    let online = db.query_i64("SELECT count(*) AS value FROM agents WHERE status = 'online'");
    assert_eq!(online, 0, "storage never changes an agent's status");
}
