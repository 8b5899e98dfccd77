//! Clients and sites, agents in them, and users limited to some clients.

use actix_web::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, spawn};

/// A client with one site and an agent enrolled into it through a token bound to the site.
pub struct Tenant {
    pub client: i64,
    pub site: i64,
    pub agent: String,
}

pub async fn tenant<S, B>(app: &TestApp<S>, admin: &str, name: &str, hostname: &str) -> Tenant
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let created = app
        .post("/api/v1/clients", Some(admin), json!({"name": name}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let client = created.data()["id"].as_i64().unwrap();
    let site = app
        .post(
            &format!("/api/v1/clients/{client}/sites"),
            Some(admin),
            json!({"name": format!("{name} HQ")}),
        )
        .await;
    assert_eq!(site.status, StatusCode::CREATED, "{}", site.body);
    let site = site.data()["id"].as_i64().unwrap();
    let key = app
        .enrollment_token(
            admin,
            json!({"name": format!("{name} laptops"), "auto_approve": true, "site_id": site}),
        )
        .await;
    let agent = app.enroll(&key, hostname).await.uuid;
    Tenant {
        client,
        site,
        agent,
    }
}

/// A user of `role` limited to `clients`: their access token.
async fn scoped<S, B>(
    app: &TestApp<S>,
    admin: &str,
    name: &str,
    role: &str,
    clients: &[i64],
) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let body = json!({
        "username": name, "email": format!("{name}@example.com"), "password": PASSWORD,
        "role": role, "client_ids": clients,
    });
    let reply = app.post("/api/v1/users", Some(admin), body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.data()["client_ids"], json!(clients));
    app.login(name, PASSWORD).await.access
}

fn uuids(reply: &crate::helpers::Reply, key: &str) -> Vec<String> {
    reply.data()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn agents_land_in_their_tokens_site_and_sites_keep_their_agents() {
    let app = spawn().await;
    let admin = app.admin().await;
    let acme = tenant(&app, &admin, "Acme", "acme-web-01").await;

    let agent = app
        .get(&format!("/api/v1/agents/{}", acme.agent), &admin)
        .await;
    assert_eq!(
        (
            agent.data()["client_id"].as_i64(),
            agent.data()["site_id"].as_i64()
        ),
        (Some(acme.client), Some(acme.site))
    );
    let same_name = app
        .post("/api/v1/clients", Some(&admin), json!({"name": "ACME"}))
        .await;
    assert_eq!(
        (same_name.status, same_name.code()),
        (StatusCode::CONFLICT, "CLIENT_NAME_TAKEN")
    );
    let site_name = app
        .post(
            &format!("/api/v1/clients/{}/sites", acme.client),
            Some(&admin),
            json!({"name": "acme hq"}),
        )
        .await;
    assert_eq!(site_name.code(), "SITE_NAME_TAKEN");

    // The dashboard's counts.
    let clients = app.get("/api/v1/clients?search=acm", &admin).await;
    let [listed] = clients.data()["items"].as_array().unwrap().as_slice() else {
        panic!("one client matches: {}", clients.body);
    };
    assert_eq!(listed["sites"], 1);
    assert_eq!(listed["agents"]["total"], 1);
    assert_eq!(listed["agents"]["offline"], 1);
    let site = app
        .get(&format!("/api/v1/sites/{}", acme.site), &admin)
        .await;
    assert_eq!(site.data()["agents"]["total"], 1);

    // A site with agents stays; so does its client.
    let refused = app
        .delete(&format!("/api/v1/sites/{}", acme.site), &admin)
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::CONFLICT, "SITE_NOT_EMPTY")
    );
    let refused = app
        .delete(&format!("/api/v1/clients/{}", acme.client), &admin)
        .await;
    assert_eq!(refused.code(), "CLIENT_NOT_EMPTY");

    // Moved elsewhere (audited), the agent leaves the site free to go.
    let other = app
        .post(
            &format!("/api/v1/clients/{}/sites", acme.client),
            Some(&admin),
            json!({"name": "Branch"}),
        )
        .await
        .data()["id"]
        .as_i64()
        .unwrap();
    let moved = app
        .put(
            &format!("/api/v1/agents/{}/site", acme.agent),
            &admin,
            json!({"site_id": other}),
        )
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.data()["site_id"], other);
    let audit = app
        .get("/api/v1/audit-logs?action=agent.move", &admin)
        .await;
    assert_eq!(
        audit.data()["items"][0]["details"]["from"]["site_id"],
        acme.site
    );
    let in_branch = app
        .get(&format!("/api/v1/agents?site_id={other}"), &admin)
        .await;
    assert_eq!(uuids(&in_branch, "uuid"), [acme.agent.as_str()]);
    let in_old = app
        .get(&format!("/api/v1/agents?site_id={}", acme.site), &admin)
        .await;
    assert_eq!(in_old.data()["total"], 0);
    let deleted = app
        .delete(&format!("/api/v1/sites/{}", acme.site), &admin)
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let unknown = app
        .put(
            &format!("/api/v1/agents/{}/site", acme.agent),
            &admin,
            json!({"site_id": acme.site}),
        )
        .await;
    assert_eq!(unknown.fields(), ["site_id"]);
}

#[actix_web::test]
async fn a_user_limited_to_one_client_sees_and_reaches_only_its_agents() {
    let app = spawn().await;
    let admin = app.admin().await;
    let alpha = tenant(&app, &admin, "Alpha", "alpha-01").await;
    let beta = tenant(&app, &admin, "Beta", "beta-01").await;
    let tech = scoped(&app, &admin, "alice", "technician", &[alpha.client]).await;

    let agents = app.get("/api/v1/agents", &tech).await;
    assert_eq!(uuids(&agents, "uuid"), [alpha.agent.as_str()]);
    assert_eq!(agents.data()["total"], 1, "totals leave the others out");
    let searched = app.get("/api/v1/agents?search=beta", &tech).await;
    assert_eq!(searched.data()["total"], 0);
    let filtered = app
        .get(&format!("/api/v1/agents?client_id={}", beta.client), &tech)
        .await;
    assert_eq!(filtered.data()["total"], 0);

    // Beta's agent does not exist for her: reads and actions alike.
    let hidden = app
        .get(&format!("/api/v1/agents/{}", beta.agent), &tech)
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let action = app
        .post(
            &format!("/api/v1/agents/{}/action", beta.agent),
            Some(&tech),
            json!({"action": "ping"}),
        )
        .await;
    assert_eq!(action.status, StatusCode::NOT_FOUND);
    let own = app
        .post(
            &format!("/api/v1/agents/{}/action", alpha.agent),
            Some(&tech),
            json!({"action": "ping"}),
        )
        .await;
    assert_eq!(own.status, StatusCode::ACCEPTED, "{}", own.body);

    // A script run on every Linux agent reaches hers alone; naming Beta's is naming an
    // unknown agent.
    let script = app
        .post(
            "/api/v1/scripts",
            Some(&admin),
            json!({"name": "Uptime", "script_type": "bash", "content": "uptime"}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let run = app
        .post(
            &format!("/api/v1/scripts/{script}/execute"),
            Some(&tech),
            json!({"os": "linux"}),
        )
        .await;
    assert_eq!(run.status, StatusCode::ACCEPTED, "{}", run.body);
    let targets: Vec<&str> = run.data()["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|execution| execution["agent_uuid"].as_str().unwrap())
        .collect();
    assert_eq!(targets, [alpha.agent.as_str()]);
    let named = app
        .post(
            &format!("/api/v1/scripts/{script}/execute"),
            Some(&tech),
            json!({"agent_uuids": [alpha.agent, beta.agent]}),
        )
        .await;
    assert_eq!(
        named.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        named.body
    );
    assert!(
        !named.body.to_string().contains("beta-01"),
        "{}",
        named.body
    );

    // Beta's commands, queued by the admin, stay out of her lists.
    let theirs = app
        .post(
            &format!("/api/v1/agents/{}/action", beta.agent),
            Some(&admin),
            json!({"action": "ping"}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let executions = app.get("/api/v1/executions?per_page=100", &tech).await;
    assert!(
        uuids(&executions, "agent_uuid")
            .iter()
            .all(|agent| *agent == alpha.agent),
        "{}",
        executions.body
    );
    let execution = app
        .get(&format!("/api/v1/executions/{theirs}"), &tech)
        .await;
    assert_eq!(execution.status, StatusCode::NOT_FOUND);

    // Clients: hers only; global objects: not at all.
    let clients = app.get("/api/v1/clients", &tech).await;
    assert_eq!(clients.data()["total"], 1);
    let other = app
        .get(&format!("/api/v1/clients/{}", beta.client), &tech)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    let policies = app.get("/api/v1/policies", &tech).await;
    assert_eq!(policies.status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn the_last_admin_of_every_client_cannot_be_limited_and_unknown_clients_are_refused() {
    let app = spawn().await;
    let admin = app.admin().await;
    let me = app.me(&admin).await.data()["id"].as_i64().unwrap();
    let limited = app
        .put(
            &format!("/api/v1/users/{me}"),
            &admin,
            json!({"client_ids": []}),
        )
        .await;
    assert_eq!(
        (limited.status, limited.code()),
        (StatusCode::CONFLICT, "LAST_ADMIN")
    );
    let unknown = app
        .post(
            "/api/v1/users",
            Some(&admin),
            json!({"username": "bob", "email": "bob@example.com", "password": PASSWORD,
                   "role": "viewer", "client_ids": [987654]}),
        )
        .await;
    assert_eq!(unknown.fields(), ["client_ids"]);

    // A scoped admin manages no global object, and learns nothing of a request's shape.
    let acme = app
        .post("/api/v1/clients", Some(&admin), json!({"name": "Acme"}))
        .await
        .data()["id"]
        .as_i64()
        .unwrap();
    let scoped_admin = scoped(&app, &admin, "carol", "admin", &[acme]).await;
    for (method, path) in [
        (Method::POST, "/api/v1/users"),
        (Method::POST, "/api/v1/clients"),
        (Method::POST, "/api/v1/enrollment-tokens"),
        (Method::PUT, "/api/v1/integrations/smtp"),
        (Method::PUT, "/api/v1/settings/security"),
        (Method::POST, "/api/v1/scripts"),
    ] {
        let reply = app
            .call(
                method.clone(),
                path,
                Some(&scoped_admin),
                Some(json!({"bad": true})),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            reply.body
        );
    }
    let audit = app.get("/api/v1/audit-logs", &scoped_admin).await;
    assert_eq!(audit.status, StatusCode::FORBIDDEN);
    // Lifted again: every client.
    let carol = app.get("/api/v1/users?search=carol", &admin).await.data()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let lifted = app
        .put(
            &format!("/api/v1/users/{carol}"),
            &admin,
            json!({"client_ids": null}),
        )
        .await;
    assert_eq!(lifted.data()["client_ids"], Value::Null);
}
