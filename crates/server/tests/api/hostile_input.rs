//! Hostile input from users. Every numeric and date input of every operation, pushed to its
//! extremes: the answer is an error in the envelope (or a success), never a panic, an empty
//! reply or a 500. The operations are read from the OpenAPI document, so an operation that
//! gains a numeric input without a valid request in [`bases`] fails here until one is added.
//! And text no store can keep (U+0000) in any string field is a 422 naming that field.

use std::collections::BTreeMap;

use actix_web::http::{Method, StatusCode, header};
use actix_web::test::TestRequest;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn};

/// Integers and floats at and past every boundary a handler might convert to.
fn extreme_numbers() -> Vec<Value> {
    vec![
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(i64::from(i32::MAX) + 1),
        json!(i64::from(u32::MAX) + 1),
        json!(65536),
        json!(-1),
        json!(0),
        json!(1.5),
        json!(1e308),
        json!(-1e308),
        json!(9_007_199_254_740_993_u64),
    ]
}

/// Dates at and past the ends of what chrono and PostgreSQL can hold.
fn extreme_dates() -> Vec<&'static str> {
    vec![
        "+262143-12-31T23:59:59Z",
        "-262143-01-01T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "1969-12-31T23:59:59Z",
        "2026-13-45T99:99:99Z",
    ]
}

/// What an operation's numeric inputs are, from the document.
#[derive(Debug, Default)]
struct Inputs {
    /// Paths in the body (`["reboot", "delay_minutes"]`), with whether each is a date.
    body: Vec<(Vec<String>, bool)>,
    /// Query parameters, with whether each is a date.
    query: Vec<(String, bool)>,
    /// Path parameters that are numbers.
    path: Vec<String>,
}

fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    while let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap();
        schema = &document["components"]["schemas"][name];
    }
    schema
}

fn kind(schema: &Value) -> (bool, bool) {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(one) => vec![one.as_str()],
        Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let numeric = types.iter().any(|t| *t == "integer" || *t == "number");
    (numeric, schema["format"] == "date-time")
}

fn walk(document: &Value, schema: &Value, path: Vec<String>, found: &mut Vec<(Vec<String>, bool)>) {
    let schema = resolve(document, schema);
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for option in schema[combinator].as_array().into_iter().flatten() {
            walk(document, option, path.clone(), found);
        }
    }
    let (numeric, date) = kind(schema);
    if (numeric || date) && !path.is_empty() && !found.iter().any(|(p, _)| *p == path) {
        found.push((path.clone(), date));
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let mut nested = path.clone();
        nested.push(name.clone());
        walk(document, property, nested, found);
    }
}

fn inputs(document: &Value) -> BTreeMap<String, Inputs> {
    let mut all = BTreeMap::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let mut found = Inputs::default();
            if let Some(content) = operation["requestBody"]["content"].as_object() {
                for media in content.values() {
                    walk(document, &media["schema"], Vec::new(), &mut found.body);
                }
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let (numeric, date) = kind(resolve(document, &parameter["schema"]));
                let name = parameter["name"].as_str().unwrap().to_owned();
                match parameter["in"].as_str() {
                    Some("query") if numeric || date => found.query.push((name, date)),
                    Some("path") if numeric => found.path.push(name),
                    _ => {}
                }
            }
            if !(found.body.is_empty() && found.query.is_empty() && found.path.is_empty()) {
                all.insert(format!("{} {path}", method.to_uppercase()), found);
            }
        }
    }
    all
}

fn set(body: &mut Value, path: &[String], value: Value) {
    let (last, parents) = path.split_last().unwrap();
    let mut target = body;
    for name in parents {
        if !target[name.as_str()].is_object() {
            target[name.as_str()] = json!({});
        }
        target = &mut target[name.as_str()];
    }
    target[last.as_str()] = value;
}

/// A valid request for every operation with a numeric or date input: its uri (with real ids)
/// and body (`null`: none).
async fn bases<S, B>(app: &TestApp<S>, admin: &str) -> BTreeMap<&'static str, (String, Value)>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let agent = app.approved_agent("pc-1").await;
    let user = app.create_user(admin, "jane", "viewer").await;
    let script = app
        .post(
            "/api/v1/scripts",
            Some(admin),
            json!({"name": "Check", "script_type": "bash", "content": "echo ok"}),
        )
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let policy_body = json!({"name": "Weekly", "targets": {"all": true},
        "schedule": {"cron": "0 3 * * SUN", "timezone": "Europe/Berlin"}});
    let policy = app
        .post("/api/v1/policies", Some(admin), policy_body.clone())
        .await
        .data()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = app
        .post(
            "/api/v1/enrollment-tokens",
            Some(admin),
            json!({"name": "office", "auto_approve": false}),
        )
        .await
        .data()["id"]
        .clone();

    let client = app
        .post("/api/v1/clients", Some(admin), json!({"name": "Acme"}))
        .await
        .data()["id"]
        .clone();
    let site = app
        .post(
            &format!("/api/v1/clients/{client}/sites"),
            Some(admin),
            json!({"name": "HQ"}),
        )
        .await
        .data()["id"]
        .clone();

    let robot = app
        .post(
            "/api/v1/users",
            Some(admin),
            json!({"username": "robot", "email": "robot@example.com", "role": "viewer",
                   "service_account": true}),
        )
        .await
        .data()["id"]
        .clone();
    let key = app
        .post("/api/v1/api-keys", Some(admin), json!({"name": "mine"}))
        .await
        .data()["id"]
        .clone();

    // A valid request for every operation with a numeric or date input: its uri (with real
    // ids) and body.
    BTreeMap::from([
        (
            "POST /api/v1/api-keys",
            ("/api/v1/api-keys".to_owned(), json!({"name": "sync"})),
        ),
        (
            "DELETE /api/v1/api-keys/{id}",
            (format!("/api/v1/api-keys/{key}"), Value::Null),
        ),
        (
            "GET /api/v1/users/{id}/api-keys",
            (format!("/api/v1/users/{robot}/api-keys"), Value::Null),
        ),
        (
            "POST /api/v1/users/{id}/api-keys",
            (
                format!("/api/v1/users/{robot}/api-keys"),
                json!({"name": "sync"}),
            ),
        ),
        (
            "PUT /api/v1/agents/{uuid}/site",
            (
                format!("/api/v1/agents/{agent}/site"),
                json!({"site_id": site}),
            ),
        ),
        (
            "GET /api/v1/clients/{id}",
            (format!("/api/v1/clients/{client}"), Value::Null),
        ),
        (
            "PUT /api/v1/clients/{id}",
            (format!("/api/v1/clients/{client}"), json!({"name": "Acme"})),
        ),
        (
            "DELETE /api/v1/clients/{id}",
            ("/api/v1/clients/{id}".to_owned(), Value::Null),
        ),
        (
            "GET /api/v1/clients/{id}/sites",
            (format!("/api/v1/clients/{client}/sites"), Value::Null),
        ),
        (
            "POST /api/v1/clients/{id}/sites",
            (
                format!("/api/v1/clients/{client}/sites"),
                json!({"name": "Branch"}),
            ),
        ),
        (
            "GET /api/v1/clients",
            ("/api/v1/clients".to_owned(), Value::Null),
        ),
        (
            "GET /api/v1/sites/{id}",
            (format!("/api/v1/sites/{site}"), Value::Null),
        ),
        (
            "PUT /api/v1/sites/{id}",
            (format!("/api/v1/sites/{site}"), json!({"name": "HQ"})),
        ),
        (
            "DELETE /api/v1/sites/{id}",
            ("/api/v1/sites/{id}".to_owned(), Value::Null),
        ),
        (
            "GET /api/v1/agents",
            ("/api/v1/agents".to_owned(), Value::Null),
        ),
        (
            "POST /api/v1/agents/{uuid}/action",
            (
                format!("/api/v1/agents/{agent}/action"),
                json!({"action": "ping"}),
            ),
        ),
        (
            "GET /api/v1/agents/{uuid}/metrics",
            (format!("/api/v1/agents/{agent}/metrics"), Value::Null),
        ),
        (
            "GET /api/v1/alerts",
            ("/api/v1/alerts".to_owned(), Value::Null),
        ),
        (
            "POST /api/v1/alerts/{id}/ack",
            ("/api/v1/alerts/{id}/ack".to_owned(), Value::Null),
        ),
        (
            "GET /api/v1/audit-logs",
            ("/api/v1/audit-logs".to_owned(), Value::Null),
        ),
        (
            "GET /api/v1/enrollment-tokens",
            ("/api/v1/enrollment-tokens".to_owned(), Value::Null),
        ),
        (
            "POST /api/v1/enrollment-tokens",
            (
                "/api/v1/enrollment-tokens".to_owned(),
                json!({"name": "lab", "auto_approve": false}),
            ),
        ),
        (
            "DELETE /api/v1/enrollment-tokens/{id}",
            (format!("/api/v1/enrollment-tokens/{token}"), Value::Null),
        ),
        (
            "GET /api/v1/executions",
            ("/api/v1/executions".to_owned(), Value::Null),
        ),
        (
            "PUT /api/v1/integrations/pushover",
            (
                "/api/v1/integrations/pushover".to_owned(),
                json!({"enabled": true, "app_token": "azGDORePK8gMaC0QOYAMyEEuzJnyUi", "user_key": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"}),
            ),
        ),
        (
            "PUT /api/v1/integrations/smtp",
            (
                "/api/v1/integrations/smtp".to_owned(),
                json!({"enabled": true, "host": "127.0.0.1", "port": 25, "security": "none", "from_address": "rmm@example.test"}),
            ),
        ),
        (
            "GET /api/v1/notifications",
            ("/api/v1/notifications".to_owned(), Value::Null),
        ),
        (
            "GET /api/v1/policies",
            ("/api/v1/policies".to_owned(), Value::Null),
        ),
        (
            "POST /api/v1/policies",
            ("/api/v1/policies".to_owned(), policy_body.clone()),
        ),
        (
            "PUT /api/v1/policies/{id}",
            (format!("/api/v1/policies/{policy}"), policy_body),
        ),
        (
            "POST /api/v1/policies/{id}/execute",
            (format!("/api/v1/policies/{policy}/execute"), json!({})),
        ),
        (
            "GET /api/v1/policies/{id}/runs",
            (format!("/api/v1/policies/{policy}/runs"), Value::Null),
        ),
        (
            "GET /api/v1/policy-runs/{id}",
            (
                format!("/api/v1/policy-runs/{}", uuid::Uuid::new_v4()),
                Value::Null,
            ),
        ),
        (
            "GET /api/v1/scripts",
            ("/api/v1/scripts".to_owned(), Value::Null),
        ),
        (
            "POST /api/v1/scripts",
            (
                "/api/v1/scripts".to_owned(),
                json!({"name": "Other", "script_type": "bash", "content": "echo ok"}),
            ),
        ),
        (
            "PUT /api/v1/scripts/{id}",
            (
                format!("/api/v1/scripts/{script}"),
                json!({"name": "Check", "script_type": "bash", "content": "echo ok"}),
            ),
        ),
        (
            "POST /api/v1/scripts/{id}/execute",
            (
                format!("/api/v1/scripts/{script}/execute"),
                json!({"agent_uuids": [agent]}),
            ),
        ),
        (
            "GET /api/v1/scripts/{id}/executions",
            (format!("/api/v1/scripts/{script}/executions"), Value::Null),
        ),
        (
            "GET /api/v1/users",
            ("/api/v1/users".to_owned(), Value::Null),
        ),
        (
            "DELETE /api/v1/users/{id}",
            ("/api/v1/users/{id}".to_owned(), Value::Null),
        ),
        (
            "DELETE /api/v1/users/{id}/2fa",
            ("/api/v1/users/{id}/2fa".to_owned(), Value::Null),
        ),
        (
            "GET /api/v1/users/{id}",
            (format!("/api/v1/users/{user}"), Value::Null),
        ),
        (
            "PUT /api/v1/users/{id}",
            (
                "/api/v1/users/{id}".to_owned(),
                json!({"full_name": "Jane"}),
            ),
        ),
    ])
}

#[actix_web::test]
async fn no_numeric_or_date_input_reaches_a_panic_or_a_500() {
    let app = spawn().await;
    let admin = app.admin().await;
    let bases = bases(&app, &admin).await;
    let document = app.send(TestRequest::get().uri("/openapi.json")).await.body;
    let mut sent = 0;
    for (operation, found) in inputs(&document) {
        let (uri, body) = bases.get(operation.as_str()).unwrap_or_else(|| {
            panic!("{operation} takes numeric or date input: add a valid request for it to `bases`")
        });
        let method = Method::from_bytes(operation.split(' ').next().unwrap().as_bytes()).unwrap();
        let mut requests: Vec<(String, String, Value)> = Vec::new();
        for (path, date) in &found.body {
            let values: Vec<Value> = if *date {
                extreme_dates().into_iter().map(Value::from).collect()
            } else {
                extreme_numbers()
            };
            for value in values {
                let mut changed = if body.is_null() {
                    json!({})
                } else {
                    body.clone()
                };
                set(&mut changed, path, value.clone());
                requests.push((
                    format!("{} = {value}", path.join(".")),
                    uri.replace("{id}", "1"),
                    changed,
                ));
            }
        }
        for (name, date) in &found.query {
            let values: Vec<String> = if *date {
                extreme_dates()
                    .into_iter()
                    .map(|d| d.replace('+', "%2B"))
                    .collect()
            } else {
                extreme_numbers().iter().map(Value::to_string).collect()
            };
            for value in values {
                let uri = format!("{}?{name}={value}", uri.replace("{id}", "1"));
                requests.push((format!("?{name}={value}"), uri, body.clone()));
            }
        }
        for name in &found.path {
            let template = format!("{{{name}}}");
            for value in extreme_numbers()
                .iter()
                .map(Value::to_string)
                .chain(["99999999999999999999999".to_owned()])
            {
                let uri = if uri.contains(&template) {
                    uri.replace(&template, &value)
                } else {
                    uri.clone()
                };
                requests.push((format!("{{{name}}} = {value}"), uri, body.clone()));
            }
        }
        for (what, uri, body) in requests {
            let mut request = TestRequest::default()
                .method(method.clone())
                .uri(&uri)
                .insert_header((header::AUTHORIZATION, format!("Bearer {admin}")));
            if !body.is_null() {
                request = request.set_json(&body);
            }
            let reply = app.send(request).await;
            assert!(
                !reply.status.is_server_error() && reply.body["status"].is_string(),
                "{operation} with {what}: {} {}",
                reply.status,
                reply.body
            );
            if reply.status.is_client_error()
                && reply.status != StatusCode::NOT_FOUND
                && reply.status != StatusCode::CONFLICT
            {
                assert!(
                    reply.body["detail"].is_string(),
                    "{operation} with {what}: an error without detail: {}",
                    reply.body
                );
            }
            sent += 1;
        }
    }
    assert!(sent > 300, "only {sent} requests were sent");
}

/// Every string (and list of strings) a body takes, by path.
fn strings(
    document: &Value,
    schema: &Value,
    path: Vec<String>,
    found: &mut Vec<(Vec<String>, bool)>,
) {
    let schema = resolve(document, schema);
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for option in schema[combinator].as_array().into_iter().flatten() {
            strings(document, option, path.clone(), found);
        }
    }
    let is = |schema: &Value, wanted: &str| match &schema["type"] {
        Value::String(one) => one == wanted,
        Value::Array(many) => many.iter().any(|t| t == wanted),
        _ => false,
    };
    let list = is(schema, "array") && is(resolve(document, &schema["items"]), "string");
    if (is(schema, "string") || list) && !path.is_empty() && !found.iter().any(|(p, _)| *p == path)
    {
        found.push((path.clone(), list));
    }
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let mut nested = path.clone();
        nested.push(name.clone());
        strings(document, property, nested, found);
    }
}

#[actix_web::test]
async fn text_no_store_can_keep_is_refused_naming_the_field() {
    let app = spawn().await;
    let admin = app.admin().await;
    let bases = bases(&app, &admin).await;
    let document = app.send(TestRequest::get().uri("/openapi.json")).await.body;
    let mut refused = 0;
    for (operation, (uri, body)) in &bases {
        if body.is_null() {
            continue;
        }
        let (method, path) = operation.split_once(' ').unwrap();
        let schema = &document["paths"][path][method.to_lowercase()]["requestBody"]["content"]["application/json"]
            ["schema"];
        let mut found = Vec::new();
        strings(&document, schema, Vec::new(), &mut found);
        for (field, list) in found {
            let mut changed = body.clone();
            let nul = Value::from("a\u{0}b");
            set(&mut changed, &field, if list { json!([nul]) } else { nul });
            let request = TestRequest::default()
                .method(Method::from_bytes(method.as_bytes()).unwrap())
                .uri(&uri.replace("{id}", "1"))
                .insert_header((header::AUTHORIZATION, format!("Bearer {admin}")))
                .set_json(&changed);
            let reply = app.send(request).await;
            let name = field.join(".") + if list { "[0]" } else { "" };
            assert_eq!(
                reply.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{operation} with NUL in {name}: {}",
                reply.body
            );
            assert_eq!(reply.fields(), [name.as_str()], "{operation}");
            refused += 1;
        }
    }
    assert!(refused >= 20, "only {refused} text fields were tried");
    let search = app.get("/api/v1/agents?search=a%00b", &admin).await;
    assert_eq!(search.fields(), ["search"]);
    let filter = app.get("/api/v1/agents?tag=a%00b", &admin).await;
    assert_eq!(filter.fields(), ["tag"]);
}
