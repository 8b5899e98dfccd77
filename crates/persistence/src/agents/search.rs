//! One page of a searched agent list, in a single pass: the matches are collected through the
//! search indexes in a materialized CTE (so the planner cannot trade them for an index walk in
//! sort order on a misestimate), counted with a window, sorted and cut. diesel has no CTEs, so
//! this one query is SQL text; every value in it is a bind parameter, and everything else comes
//! from fixed strings chosen by enums.

use diesel::QueryResult;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::agent::{AgentListQuery, AgentSort};
use slimrmm_domain::list::{SearchTerm, SortOrder};
use slimrmm_domain::tenancy::Scope;

use super::list::{SEARCH_EXPRESSION, prefixes};
use super::row::AgentRow;
use crate::sql::contains_pattern;

const COLUMNS: &str = "uuid, a.hostname, a.display_name, a.os, a.arch, a.agent_version, a.external_ip, \
                       a.serial_number, a.tags, a.status, a.approved_at, a.last_seen_at, a.created_at, a.updated_at, \
                       a.maintenance, a.overdue_at, a.site_id, a.client_id";

#[derive(QueryableByName)]
struct Matched {
    #[diesel(embed)]
    agent: AgentRow,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The sort key and the direction of the `ORDER BY` for a sort.
fn sort(sort: AgentSort, order: SortOrder) -> (&'static str, &'static str) {
    let key = match sort {
        AgentSort::Hostname => "lower(hostname)",
        AgentSort::Status => "status",
        AgentSort::Os => "os",
        AgentSort::AgentVersion => "agent_version",
        AgentSort::LastSeenAt => "last_seen_at",
        AgentSort::CreatedAt => "created_at",
    };
    // Never-seen agents (null last_seen_at) sort as the oldest.
    let direction = match order {
        SortOrder::Asc => "ASC NULLS FIRST",
        SortOrder::Desc => "DESC NULLS LAST",
    };
    (key, direction)
}

/// The page and the number of matches (`None` when the page is past the last match).
pub(super) async fn page(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    query: &AgentListQuery,
    term: &SearchTerm,
) -> QueryResult<(Vec<AgentRow>, Option<i64>)> {
    let prefixes = prefixes(term.as_str());
    let (key, direction) = sort(query.sort_by, query.sort_order);
    let uuid_direction = &direction[..direction.find(' ').unwrap_or(direction.len())];
    // Only the uuid and the sort key of every match are kept; the full rows are read for the
    // page alone.
    let mut text = format!(
        "WITH matches AS MATERIALIZED (SELECT uuid, {key} AS sort_key FROM agents \
         WHERE deleted_at IS NULL AND ({SEARCH_EXPRESSION} LIKE $1"
    );
    let mut next = 2;
    let mut placeholder = |text: &mut String, fragment: &str| {
        text.push_str(&fragment.replace('?', &format!("${next}")));
        next += 1;
    };
    if prefixes.ip.is_some() {
        placeholder(&mut text, " OR lower(external_ip) LIKE ?");
    }
    if prefixes.uuid.is_some() {
        placeholder(&mut text, " OR uuid::text LIKE ?");
    }
    text.push(')');
    if query.filter.status.is_some() {
        placeholder(&mut text, " AND status = ?");
    }
    if query.filter.os.is_some() {
        placeholder(&mut text, " AND os = ?");
    }
    if query.filter.tag.is_some() {
        placeholder(&mut text, " AND tags @> ?");
    }
    let clients = scope.ids();
    if clients.is_some() {
        placeholder(&mut text, " AND client_id = ANY(?)");
    }
    if query.filter.client.is_some() {
        placeholder(&mut text, " AND client_id = ?");
    }
    if query.filter.site.is_some() {
        placeholder(&mut text, " AND site_id = ?");
    }
    let order = format!("sort_key {direction}, uuid {uuid_direction}");
    text.push_str(&format!(
        "), page AS (SELECT uuid, sort_key, count(*) OVER () AS total FROM matches ORDER BY {order}"
    ));
    placeholder(&mut text, " LIMIT ?");
    placeholder(&mut text, " OFFSET ?");
    text.push_str(&format!(
        ") SELECT {COLUMNS}, page.total FROM page JOIN agents a USING (uuid) ORDER BY page.{order}"
    ));

    let mut statement = diesel::sql_query(text)
        .into_boxed()
        .bind::<Text, _>(contains_pattern(&term.as_str().to_lowercase()));
    if let Some(ip) = prefixes.ip {
        statement = statement.bind::<Text, _>(ip);
    }
    if let Some(uuid) = prefixes.uuid {
        statement = statement.bind::<Text, _>(uuid);
    }
    if let Some(status) = query.filter.status {
        statement = statement.bind::<Text, _>(status.as_str());
    }
    if let Some(os) = query.filter.os {
        statement = statement.bind::<Text, _>(os.as_str());
    }
    if let Some(tag) = &query.filter.tag {
        statement = statement.bind::<Array<Text>, _>(vec![tag.as_str().to_owned()]);
    }
    if let Some(ids) = clients {
        statement = statement.bind::<Array<BigInt>, _>(ids);
    }
    if let Some(client) = query.filter.client {
        statement = statement.bind::<BigInt, _>(client.0);
    }
    if let Some(site) = query.filter.site {
        statement = statement.bind::<BigInt, _>(site.0);
    }
    let offset = i64::try_from(query.page.offset()).unwrap_or(i64::MAX);
    let rows: Vec<Matched> = statement
        .bind::<BigInt, _>(i64::from(query.page.per_page()))
        .bind::<BigInt, _>(offset)
        .load(conn)
        .await?;
    let total = rows.as_slice().first().map(|row| row.total);
    Ok((rows.into_iter().map(|row| row.agent).collect(), total))
}
