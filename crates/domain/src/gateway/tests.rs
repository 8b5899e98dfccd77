use serde_json::json;
use uuid::Uuid;

use crate::agent::{AgentId, AgentStatus};
use crate::execution::{ConnectionId, ExecutionId, ExecutionStatus};
use crate::gateway::AdmitError;
use crate::protocol::AgentMessage;
use crate::test_support::{gateway_services, queued, stored_agent};

fn agent() -> crate::agent::Agent {
    stored_agent(AgentId(Uuid::from_u128(7)), AgentStatus::Online).agent
}

#[tokio::test]
async fn only_approved_agents_are_admitted() {
    let mut ports = gateway_services();
    ports
        .agents
        .expect_find()
        .returning(|id| Ok(Some(stored_agent(id, AgentStatus::Pending))));
    let result = ports.service().admit(AgentId(Uuid::new_v4())).await;
    assert!(matches!(result, Err(AdmitError::NotApproved)));
    let mut ports = gateway_services();
    ports.agents.expect_find().returning(|_| Ok(None));
    assert!(matches!(
        ports.service().admit(AgentId(Uuid::new_v4())).await,
        Err(AdmitError::UnknownAgent)
    ));
}

#[tokio::test]
async fn heartbeats_are_submitted_and_their_events_throttled() {
    let mut ports = gateway_services();
    ports.heartbeats.expect_submit().times(2).return_const(());
    ports
        .events
        .expect_publish()
        .withf(|event| event.kind == "agent.heartbeat")
        .times(1)
        .return_const(());
    let service = ports.service();
    for _ in 0..2 {
        let heartbeat = AgentMessage::parse(
            json!({"action": "heartbeat", "type": "stats", "stats": {"cpu_percent": 3}}),
        )
        .unwrap();
        service.received(&agent(), heartbeat).await.unwrap();
    }
}

#[tokio::test]
async fn an_answer_settles_the_agents_own_execution_and_stores_its_inventory() {
    let mut ports = gateway_services();
    let id = ExecutionId(Uuid::new_v4());
    ports.executions.expect_find().times(1).returning(|id| {
        let mut execution = queued(&crate::execution::NewExecution {
            id,
            agent: AgentId(Uuid::from_u128(7)),
            action: "get_software_inventory".into(),
            params: json!({}),
            mutating: false,
            timeout_seconds: 45,
            created_by: None,
            created_at: crate::test_support::t0(),
            expires_at: crate::test_support::t0(),
            script: None,
            policy_run: None,
        });
        execution.status = ExecutionStatus::Sent;
        Ok(Some(execution))
    });
    ports
        .executions
        .expect_complete()
        .withf(move |execution, agent, outcome, _| {
            *execution == id
                && *agent == AgentId(Uuid::from_u128(7))
                && outcome.status == ExecutionStatus::Completed
        })
        .times(1)
        .returning(|id, agent, outcome, _| {
            let mut execution = queued(&crate::execution::NewExecution {
                id,
                agent,
                action: "get_software_inventory".into(),
                params: json!({}),
                mutating: false,
                timeout_seconds: 45,
                created_by: None,
                created_at: crate::test_support::t0(),
                expires_at: crate::test_support::t0(),
                script: None,
                policy_run: None,
            });
            execution.status = outcome.status;
            execution.result = outcome.result.clone();
            Ok(Some(execution))
        });
    ports
        .inventories
        .expect_put()
        .times(1)
        .returning(|_, _, inventory| {
            assert_eq!(inventory.entries.len(), 1);
            Ok(())
        });
    ports.events.expect_publish().return_const(());
    let reply = AgentMessage::parse(json!({
        "action": "get_software_inventory", "request_id": id.to_string(), "success": true,
        "data": {"packages": [{"name": "vim", "version": "9"}], "count": 1, "source": "apt"}
    }))
    .unwrap();
    ports.service().received(&agent(), reply).await.unwrap();
}

#[tokio::test]
async fn a_replaced_connection_does_not_take_the_agent_offline() {
    let mut ports = gateway_services();
    ports
        .executions
        .expect_connection_lost()
        .returning(|_, _, _, _| Ok(vec![]));
    // No expectation on presence.offline: calling it fails the test.
    ports
        .service()
        .disconnected(&agent(), ConnectionId(Uuid::new_v4()), true)
        .await
        .unwrap();

    let mut ports = gateway_services();
    ports
        .executions
        .expect_connection_lost()
        .returning(|_, _, _, _| Ok(vec![]));
    ports
        .presence
        .expect_offline()
        .times(1)
        .returning(|_, _| Ok(true));
    ports.events.expect_publish().return_const(());
    ports
        .service()
        .disconnected(&agent(), ConnectionId(Uuid::new_v4()), false)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_sweep_settles_what_dead_processes_sent_and_forgets_them() {
    use crate::execution::ProcessId;
    let dead = ProcessId(Uuid::from_u128(99));
    let mut ports = gateway_services();
    ports
        .presence
        .expect_silent_to_offline()
        .returning(|_, _| Ok(vec![]));
    ports
        .presence
        .expect_mark_overdue()
        .returning(|_, _| Ok(vec![]));
    ports.executions.expect_sweep().returning(|_| Ok(vec![]));
    ports
        .processes
        .expect_dead()
        .returning(move |_, silent_for| {
            assert_eq!(silent_for, chrono::TimeDelta::seconds(20));
            Ok(vec![dead])
        });
    ports
        .executions
        .expect_abandoned()
        .withf(move |process, reason, _| {
            *process == dead && reason.contains("not re-sent because this action changes")
        })
        .times(1)
        .returning(|_, _, _| {
            let mut failed = queued(&crate::execution::NewExecution {
                id: ExecutionId(Uuid::from_u128(5)),
                agent: AgentId(Uuid::from_u128(7)),
                action: "restart".into(),
                params: json!({}),
                mutating: true,
                timeout_seconds: 45,
                created_by: None,
                created_at: crate::test_support::t0(),
                expires_at: crate::test_support::t0(),
                script: None,
                policy_run: None,
            });
            failed.status = ExecutionStatus::Failed;
            Ok(vec![failed])
        });
    ports
        .events
        .expect_publish()
        .withf(|event| event.kind == "execution.updated")
        .times(1)
        .return_const(());
    ports
        .processes
        .expect_forget()
        .withf(move |process| *process == dead)
        .times(1)
        .returning(|_| Ok(()));
    ports.service().sweep().await.unwrap();
}

#[tokio::test]
async fn a_heartbeat_from_an_agent_marked_offline_brings_it_back_online_once() {
    let mut ports = gateway_services();
    let (back, raced) = (AgentId(Uuid::from_u128(1)), AgentId(Uuid::from_u128(2)));
    ports.heartbeats.expect_flush().times(1).returning(move || {
        Ok(crate::telemetry::HeartbeatFlush {
            written: 5,
            heard_while_offline: vec![back, raced],
        })
    });
    // Another process (the agent's connection handshake) already brought `raced` online.
    ports
        .presence
        .expect_online()
        .times(2)
        .returning(move |agent, _| Ok(agent == back));
    ports
        .events
        .expect_publish()
        .withf(move |event| event.kind == "agent.online" && event.agent == Some(back))
        .times(1)
        .return_const(());
    assert_eq!(ports.service().flush_heartbeats().await.unwrap(), 5);
}
