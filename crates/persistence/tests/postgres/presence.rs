use futures_util::future::join_all;
use slimrmm_domain::agent::{AgentRepository, AgentStatus};
use slimrmm_domain::presence::PresenceRepository;
use slimrmm_domain::user::Role;
use slimrmm_persistence::{
    BatchedPresence, PgAgentRepository, PgEnrollmentTokenRepository, PgUserRepository,
};
use slimrmm_test_db::TestDatabase;

use crate::support::{create, new_agent, now, token};

#[tokio::test]
async fn a_storm_of_connects_comes_online_in_batches_each_answered_once() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let (token, _) = token(&PgEnrollmentTokenRepository::new(db.pool()), admin.id, None).await;
    let agents = PgAgentRepository::new(db.pool());
    let mut fleet = Vec::new();
    for i in 0..300 {
        let agent = new_agent(&token, &format!("host-{i}"), AgentStatus::Offline);
        fleet.push(agents.enroll(&agent, None, now()).await.unwrap().id);
    }
    let pending = agents
        .enroll(
            &new_agent(&token, "waiting", AgentStatus::Pending),
            None,
            now(),
        )
        .await
        .unwrap()
        .id;
    let presence = BatchedPresence::start(db.pool());

    // All at once (more than one statement's worth is not needed: the queue takes them as
    // they come), the pending agent among them.
    let calls = fleet
        .iter()
        .chain([&pending])
        .map(|agent| presence.online(*agent, now()));
    let answers: Vec<bool> = join_all(calls)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert!(answers[..300].iter().all(|was_offline| *was_offline));
    assert!(!answers[300], "a pending agent does not come online");
    for agent in &fleet {
        let stored = agents.find(*agent).await.unwrap().unwrap().agent;
        assert_eq!(stored.status, AgentStatus::Online);
    }
    assert_eq!(
        agents.find(pending).await.unwrap().unwrap().agent.status,
        AgentStatus::Pending
    );
    // Already online: no second transition, alone or twice in one batch.
    let again = join_all([
        presence.online(fleet[0], now()),
        presence.online(fleet[0], now()),
    ])
    .await;
    assert!(again.into_iter().all(|answer| !answer.unwrap()));
    let transitions = db.query_i64(&format!(
        "SELECT count(*) AS value FROM agent_status_events WHERE agent_uuid = '{}' AND to_status = 'online'",
        fleet[0].0
    ));
    assert_eq!(transitions, 1);
}
