use chrono::TimeDelta;
use slimrmm_domain::agent::{
    AgentFilter, AgentLabelChanges, AgentListQuery, AgentOs, AgentRepository, AgentSort,
    AgentStatus, DisplayName, EnrollAgentError, Tag, Tags,
};
use slimrmm_domain::enrollment::{CertificateRecord, CertificateSerial, EnrollmentTokenRepository};
use slimrmm_domain::list::{PageRequest, SearchTerm, SortOrder};
use slimrmm_domain::tenancy::Scope;
use slimrmm_domain::user::Role;
use slimrmm_persistence::{PgAgentRepository, PgEnrollmentTokenRepository, PgUserRepository};
use slimrmm_test_db::TestDatabase;

use crate::support::{create, facts, new_agent, now, token};

fn certificate(
    agent: slimrmm_domain::agent::AgentId,
    serial: &str,
    days: i64,
) -> CertificateRecord {
    CertificateRecord {
        serial: CertificateSerial(serial.to_owned()),
        agent,
        not_before: now(),
        not_after: now() + TimeDelta::days(days),
        revoked_at: None,
    }
}

#[tokio::test]
async fn enrolling_takes_a_use_of_the_token_atomically() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let tokens = PgEnrollmentTokenRepository::new(db.pool());
    let agents = PgAgentRepository::new(db.pool());
    let (once, once_digest) = token(&tokens, admin.id, Some(1)).await;

    let (a, b) = (
        new_agent(&once, "a", AgentStatus::Pending),
        new_agent(&once, "b", AgentStatus::Pending),
    );
    let (first, second) = tokio::join!(
        agents.enroll(&a, None, now()),
        agents.enroll(&b, None, now())
    );
    assert!(
        first.is_ok() != second.is_ok(),
        "exactly one agent may use a single-use token"
    );
    let loser = if first.is_ok() { second } else { first };
    assert!(matches!(loser, Err(EnrollAgentError::TokenNoLongerValid)));
    let total = agents
        .list(&Scope::All, &AgentListQuery::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, 1, "the refused agent was not stored");
    let stored = tokens.find_by_digest(&once_digest).await.unwrap().unwrap();
    assert_eq!(stored.uses, 1);
    assert!(stored.last_used_at.is_some());

    tokens.revoke(once.id, now()).await.unwrap();
    let (unlimited, _) = token(&tokens, admin.id, None).await;
    tokens.revoke(unlimited.id, now()).await.unwrap();
    let refused = agents
        .enroll(
            &new_agent(&unlimited, "c", AgentStatus::Pending),
            None,
            now(),
        )
        .await;
    assert!(
        matches!(refused, Err(EnrollAgentError::TokenNoLongerValid)),
        "revoked tokens admit nobody"
    );
}

#[tokio::test]
async fn reinstalling_replaces_facts_and_secrets_and_revokes_old_certificates() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let tokens = PgEnrollmentTokenRepository::new(db.pool());
    let agents = PgAgentRepository::new(db.pool());
    let (t, _) = token(&tokens, admin.id, None).await;
    let new = new_agent(&t, "old-name", AgentStatus::Offline);
    let id = new.id;
    agents
        .enroll(&new, Some(certificate(id, "aa01", 90)), now())
        .await
        .unwrap();
    assert_eq!(
        agents
            .latest_certificate(id)
            .await
            .unwrap()
            .unwrap()
            .serial
            .0,
        "aa01"
    );

    let mut secrets = new.secrets;
    secrets.reregistration_secret = slimrmm_domain::auth::TokenDigest([9; 32]);
    let agent = agents
        .reinstall(
            id,
            &facts("new-name", AgentOs::Windows),
            &secrets,
            Some(certificate(id, "aa02", 90)),
            now(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (agent.id, agent.facts.hostname.as_str(), agent.facts.os),
        (id, "new-name", AgentOs::Windows)
    );
    assert_eq!(
        agents
            .find(id)
            .await
            .unwrap()
            .unwrap()
            .secrets
            .reregistration_secret
            .0,
        [9; 32]
    );
    assert_eq!(
        agents
            .latest_certificate(id)
            .await
            .unwrap()
            .unwrap()
            .serial
            .0,
        "aa02"
    );
}

#[tokio::test]
async fn transitions_are_compare_and_swap_and_deletion_hides_and_revokes() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let tokens = PgEnrollmentTokenRepository::new(db.pool());
    let agents = PgAgentRepository::new(db.pool());
    let (t, _) = token(&tokens, admin.id, None).await;
    let new = new_agent(&t, "pc", AgentStatus::Pending);
    let id = new.id;
    agents.enroll(&new, None, now()).await.unwrap();

    let approved = agents
        .transition(
            id,
            AgentStatus::Pending,
            AgentStatus::Offline,
            Some(admin.id),
            now(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(approved.status, AgentStatus::Offline);
    assert!(approved.approved_at.is_some());
    let stale = agents
        .transition(
            id,
            AgentStatus::Pending,
            AgentStatus::Rejected,
            Some(admin.id),
            now(),
        )
        .await
        .unwrap();
    assert!(stale.is_none(), "the agent is no longer pending");

    agents
        .add_certificate(&certificate(id, "bb01", 90))
        .await
        .unwrap();
    // A renewal presenting a live certificate is recorded; one presenting an unknown or
    // another agent's serial is not.
    assert!(
        agents
            .add_renewed_certificate(
                &certificate(id, "bb02", 90),
                &CertificateSerial("bb01".into())
            )
            .await
            .unwrap()
    );
    assert!(
        !agents
            .add_renewed_certificate(
                &certificate(id, "bb03", 90),
                &CertificateSerial("ffff".into())
            )
            .await
            .unwrap()
    );
    assert!(agents.delete(id, now()).await.unwrap());
    // After the deletion revoked everything, a renewal racing it records nothing.
    assert!(
        !agents
            .add_renewed_certificate(
                &certificate(id, "bb04", 90),
                &CertificateSerial("bb02".into())
            )
            .await
            .unwrap()
    );
    assert!(
        agents
            .certificate(&CertificateSerial("bb04".into()))
            .await
            .unwrap()
            .is_none()
    );
    assert!(agents.find(id).await.unwrap().is_none());
    assert!(
        agents.latest_certificate(id).await.unwrap().is_none(),
        "deletion revokes certificates"
    );
    assert!(!agents.delete(id, now()).await.unwrap());
    assert_eq!(
        agents
            .list(&Scope::All, &AgentListQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
}

#[tokio::test]
async fn labels_change_only_what_is_given() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let tokens = PgEnrollmentTokenRepository::new(db.pool());
    let agents = PgAgentRepository::new(db.pool());
    let (t, _) = token(&tokens, admin.id, None).await;
    let new = new_agent(&t, "pc", AgentStatus::Pending);
    agents.enroll(&new, None, now()).await.unwrap();
    let changes = AgentLabelChanges {
        display_name: Some(Some(DisplayName::parse("Reception").unwrap())),
        tags: None,
    };
    let agent = agents
        .update_labels(new.id, &changes, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(agent.display_name.unwrap().as_str(), "Reception");
    assert_eq!(agent.tags.to_strings(), ["office"]);
    let changes = AgentLabelChanges {
        display_name: Some(None),
        tags: Some(Tags::parse(&["b", "a"]).unwrap()),
    };
    let agent = agents
        .update_labels(new.id, &changes, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (agent.display_name, agent.tags.to_strings()),
        (None, vec!["a".to_owned(), "b".to_owned()])
    );
}

#[tokio::test]
async fn lists_filter_search_and_sort() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let tokens = PgEnrollmentTokenRepository::new(db.pool());
    let agents = PgAgentRepository::new(db.pool());
    let (t, _) = token(&tokens, admin.id, None).await;
    let mut ids = Vec::new();
    for (i, (name, os, status)) in [
        ("web-01", AgentOs::Linux, AgentStatus::Offline),
        ("WEB-02", AgentOs::Linux, AgentStatus::Pending),
        ("db-01", AgentOs::Windows, AgentStatus::Offline),
        ("mac-01", AgentOs::Darwin, AgentStatus::Rejected),
    ]
    .into_iter()
    .enumerate()
    {
        let mut new = new_agent(&t, name, status);
        new.facts.os = os;
        if i == 2 {
            new.tags = Tags::parse(&["sql"]).unwrap();
        }
        ids.push(agents.enroll(&new, None, now()).await.unwrap().id);
    }
    let query = |filter: AgentFilter, search: &str| AgentListQuery {
        filter,
        search: SearchTerm::parse(search).unwrap(),
        ..AgentListQuery::default()
    };
    let names = |page: slimrmm_domain::list::Page<slimrmm_domain::agent::Agent>| {
        page.items
            .into_iter()
            .map(|a| a.facts.hostname.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            agents
                .list(&Scope::All, &query(AgentFilter::default(), "web"))
                .await
                .unwrap()
        ),
        ["web-01", "WEB-02"]
    );
    let beyond = AgentListQuery {
        page: PageRequest::new(5, 1).unwrap(),
        ..query(AgentFilter::default(), "web")
    };
    let page = agents.list(&Scope::All, &beyond).await.unwrap();
    assert_eq!(
        (page.items.len(), page.total),
        (0, 2),
        "past the last page the total still counts"
    );
    let linux = AgentFilter {
        os: Some(AgentOs::Linux),
        status: Some(AgentStatus::Offline),
        ..AgentFilter::default()
    };
    assert_eq!(
        names(agents.list(&Scope::All, &query(linux, "")).await.unwrap()),
        ["web-01"]
    );
    let tagged = AgentFilter {
        tag: Some(Tag::parse("sql").unwrap()),
        ..AgentFilter::default()
    };
    assert_eq!(
        names(agents.list(&Scope::All, &query(tagged, "")).await.unwrap()),
        ["db-01"]
    );
    let prefix = &ids[3].to_string()[..8];
    assert_eq!(
        names(
            agents
                .list(&Scope::All, &query(AgentFilter::default(), prefix))
                .await
                .unwrap()
        ),
        ["mac-01"]
    );
    let upper_prefix = ids[3].to_string()[..6].to_uppercase();
    assert_eq!(
        agents
            .list(&Scope::All, &query(AgentFilter::default(), &upper_prefix))
            .await
            .unwrap()
            .total,
        1
    );

    let by_status = AgentListQuery {
        sort_by: AgentSort::Status,
        sort_order: SortOrder::Desc,
        page: PageRequest::new(1, 2).unwrap(),
        ..AgentListQuery::default()
    };
    let page = agents.list(&Scope::All, &by_status).await.unwrap();
    assert_eq!(
        (page.total, page.pages(), page.items[0].status),
        (4, 2, AgentStatus::Rejected)
    );
}

#[tokio::test]
async fn trigger_kept_totals_match_a_real_count_through_every_kind_of_change() {
    let db = TestDatabase::new();
    let admin = create(&PgUserRepository::new(db.pool()), "root", Role::Admin).await;
    let tokens = PgEnrollmentTokenRepository::new(db.pool());
    let agents = PgAgentRepository::new(db.pool());
    db.execute(&slimrmm_test_db::seed_agents_sql(500));
    let (t, _) = token(&tokens, admin.id, None).await;
    let new = new_agent(&t, "extra", AgentStatus::Pending);
    agents.enroll(&new, None, now()).await.unwrap();
    agents
        .transition(
            new.id,
            AgentStatus::Pending,
            AgentStatus::Offline,
            None,
            now(),
        )
        .await
        .unwrap();
    db.execute("UPDATE agents SET status = 'online' WHERE hostname LIKE 'host-000%'");
    db.execute("UPDATE agents SET last_seen_at = now()");
    db.execute("UPDATE agents SET deleted_at = now() WHERE hostname LIKE 'host-001%'");
    db.execute("DELETE FROM agents WHERE hostname LIKE 'host-002%'");
    agents.delete(new.id, now()).await.unwrap();

    let statuses = [
        None,
        Some(AgentStatus::Pending),
        Some(AgentStatus::Rejected),
        Some(AgentStatus::Online),
        Some(AgentStatus::Offline),
    ];
    let systems = [
        None,
        Some(AgentOs::Linux),
        Some(AgentOs::Darwin),
        Some(AgentOs::Windows),
    ];
    for status in statuses {
        for os in systems {
            let query = AgentListQuery {
                filter: AgentFilter {
                    status,
                    os,
                    ..AgentFilter::default()
                },
                ..AgentListQuery::default()
            };
            let fast = agents.list(&Scope::All, &query).await.unwrap().total;
            let mut sql =
                "SELECT count(*) AS value FROM agents WHERE deleted_at IS NULL".to_owned();
            if let Some(status) = status {
                sql += &format!(" AND status = '{}'", status.as_str());
            }
            if let Some(os) = os {
                sql += &format!(" AND os = '{}'", os.as_str());
            }
            assert_eq!(fast as i64, db.query_i64(&sql), "{status:?} {os:?}");
        }
    }
}
