use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{Agent, AgentListQuery, AgentSort};
use slimrmm_domain::list::{Page, SortOrder};
use slimrmm_domain::tenancy::Scope;

use super::row::AgentRow;
use crate::Database;
use crate::error::query_error;
use crate::schema::{agent_counts, agents};
use crate::sql::{contains_pattern, lower, sorted};

/// What a search matches "anywhere": the expression of the trigram index
/// `agents_search_trgm_idx` (it must stay exactly this for the index to apply).
pub(super) const SEARCH_EXPRESSION: &str = "lower(hostname || ' ' || coalesce(serial_number, ''))";

/// The prefix searches a term allows, as `LIKE` patterns: the uuid (hex digits and dashes) and
/// the external IP (hex digits, dots and colons), lowercased.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Prefixes {
    pub uuid: Option<String>,
    pub ip: Option<String>,
}

pub(super) fn prefixes(term: &str) -> Prefixes {
    let term = term.to_ascii_lowercase();
    let all = |ok: fn(char) -> bool| term.chars().all(ok).then(|| format!("{term}%"));
    Prefixes {
        uuid: all(|c| c.is_ascii_hexdigit() || c == '-'),
        ip: all(|c| c.is_ascii_hexdigit() || c == '.' || c == ':'),
    }
}

fn filtered(scope: &Scope, query: &AgentListQuery) -> agents::BoxedQuery<'static, Pg> {
    let mut selection = agents::table
        .filter(agents::deleted_at.is_null())
        .into_boxed();
    if let Some(ids) = scope.ids() {
        selection = selection.filter(agents::client_id.eq_any(ids));
    }
    if let Some(client) = query.filter.client {
        selection = selection.filter(agents::client_id.eq(client.0));
    }
    if let Some(site) = query.filter.site {
        selection = selection.filter(agents::site_id.eq(site.0));
    }
    if let Some(status) = query.filter.status {
        selection = selection.filter(agents::status.eq(status.as_str()));
    }
    if let Some(os) = query.filter.os {
        selection = selection.filter(agents::os.eq(os.as_str()));
    }
    if let Some(tag) = &query.filter.tag {
        selection = selection.filter(agents::tags.contains(vec![tag.as_str().to_owned()]));
    }
    if let Some(term) = &query.search {
        let contains = contains_pattern(&term.as_str().to_lowercase());
        let prefixes = prefixes(term.as_str());
        let mut matches: Box<dyn BoxableExpression<agents::table, Pg, SqlType = Bool>> =
            Box::new(sql::<Text>(SEARCH_EXPRESSION).like(contains));
        if let Some(ip) = prefixes.ip {
            matches = Box::new(matches.or(lower(agents::external_ip).like(ip).assume_not_null()));
        }
        if let Some(uuid) = prefixes.uuid {
            matches = Box::new(matches.or(sql::<Text>("uuid::text").like(uuid)));
        }
        selection = selection.filter(matches);
    }
    selection
}

/// The total: from the trigger-maintained `agent_counts` when only status and os filter the
/// list of a user of every client, by counting otherwise (a scoped user's agents are counted
/// through the client index).
async fn total(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    query: &AgentListQuery,
) -> QueryResult<i64> {
    let filter = &query.filter;
    if query.search.is_some()
        || filter.tag.is_some()
        || filter.client.is_some()
        || filter.site.is_some()
        || !scope.is_all()
    {
        return filtered(scope, query).count().get_result(conn).await;
    }
    let mut counts = agent_counts::table.into_boxed();
    if let Some(status) = query.filter.status {
        counts = counts.filter(agent_counts::status.eq(status.as_str()));
    }
    if let Some(os) = query.filter.os {
        counts = counts.filter(agent_counts::os.eq(os.as_str()));
    }
    counts
        .select(sql::<BigInt>("coalesce(sum(count), 0)::bigint"))
        .get_result(conn)
        .await
}

/// Every sort is by its key then uuid, both in the same direction, so that it walks its
/// `(key, uuid)` index forwards or backwards.
fn ordered(scope: &Scope, query: &AgentListQuery) -> agents::BoxedQuery<'static, Pg> {
    let selection = filtered(scope, query);
    match query.sort_by {
        AgentSort::Hostname => sorted!(
            selection,
            query.sort_order,
            lower(agents::hostname.nullable()),
            agents::uuid
        ),
        AgentSort::Status => sorted!(selection, query.sort_order, agents::status, agents::uuid),
        AgentSort::Os => sorted!(selection, query.sort_order, agents::os, agents::uuid),
        AgentSort::AgentVersion => sorted!(
            selection,
            query.sort_order,
            agents::agent_version,
            agents::uuid
        ),
        AgentSort::LastSeenAt => match query.sort_order {
            SortOrder::Asc => {
                selection.order((agents::last_seen_at.asc().nulls_first(), agents::uuid.asc()))
            }
            SortOrder::Desc => selection.order((
                agents::last_seen_at.desc().nulls_last(),
                agents::uuid.desc(),
            )),
        },
        AgentSort::CreatedAt => sorted!(
            selection,
            query.sort_order,
            agents::created_at,
            agents::uuid
        ),
    }
    .limit(i64::from(query.page.per_page()))
    .offset(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
}

pub(super) async fn list(
    db: &Database,
    scope: &Scope,
    query: &AgentListQuery,
) -> Result<Page<Agent>, PortError> {
    let mut conn = db.conn().await?;
    let (rows, total) = if let Some(term) = &query.search {
        let (rows, matches) = super::search::page(&mut conn, scope, query, term)
            .await
            .map_err(query_error)?;
        let total = match matches {
            Some(matches) => matches,
            // Past the last page: the window saw no rows, so count separately.
            None => total(&mut conn, scope, query).await.map_err(query_error)?,
        };
        (rows, total)
    } else {
        let total = total(&mut conn, scope, query).await.map_err(query_error)?;
        let rows: Vec<AgentRow> = ordered(scope, query)
            .select(AgentRow::as_select())
            .load(&mut conn)
            .await
            .map_err(query_error)?;
        (rows, total)
    };
    Ok(Page {
        items: rows
            .into_iter()
            .map(AgentRow::into_domain)
            .collect::<Result<_, _>>()?,
        total: total.unsigned_abs(),
        request: query.page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_apply_only_to_terms_that_could_start_them() {
        let both = |uuid: Option<&str>, ip: Option<&str>| Prefixes {
            uuid: uuid.map(str::to_owned),
            ip: ip.map(str::to_owned),
        };
        assert_eq!(prefixes("9F3A-"), both(Some("9f3a-%"), None));
        assert_eq!(prefixes("10.0.5."), both(None, Some("10.0.5.%")));
        assert_eq!(prefixes("fe80::1"), both(None, Some("fe80::1%")));
        assert_eq!(prefixes("beef"), both(Some("beef%"), Some("beef%")));
        assert_eq!(prefixes("web"), both(None, None));
    }
}
