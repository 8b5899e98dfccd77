use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::agent::{Agent, AgentListQuery, AgentSort};
use slimrmm_domain::list::{Page, SortOrder};

use super::row::AgentRow;
use crate::Database;
use crate::error::query_error;
use crate::schema::agents;
use crate::sql::{contains_pattern, lower};

/// The expression of the trigram index `agents_search_trgm_idx`; a search must use exactly it
/// for the index to apply.
const SEARCH_EXPRESSION: &str =
    "lower(hostname || ' ' || coalesce(external_ip, '') || ' ' || coalesce(serial_number, ''))";

/// A term that could begin a uuid (hex digits and dashes), lowercased.
fn uuid_prefix(term: &str) -> Option<String> {
    let term = term.to_ascii_lowercase();
    term.chars()
        .all(|c| c.is_ascii_hexdigit() || c == '-')
        .then_some(term)
}

fn filtered(query: &AgentListQuery) -> agents::BoxedQuery<'static, Pg> {
    let mut selection = agents::table
        .filter(agents::deleted_at.is_null())
        .into_boxed();
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
        let contains =
            sql::<Text>(SEARCH_EXPRESSION).like(contains_pattern(&term.as_str().to_lowercase()));
        selection = match uuid_prefix(term.as_str()) {
            Some(prefix) => {
                selection.filter(contains.or(sql::<Text>("uuid::text").like(format!("{prefix}%"))))
            }
            None => selection.filter(contains),
        };
    }
    selection
}

macro_rules! order {
    ($selection:expr, $column:expr, $order:expr) => {
        match $order {
            SortOrder::Asc => $selection.order($column.asc().nulls_last()),
            SortOrder::Desc => $selection.order($column.desc().nulls_last()),
        }
    };
}

pub(super) async fn list(db: &Database, query: &AgentListQuery) -> Result<Page<Agent>, PortError> {
    let mut conn = db.conn().await?;
    let total: i64 = filtered(query)
        .count()
        .get_result(&mut conn)
        .await
        .map_err(query_error)?;
    let selection = filtered(query);
    let selection = match query.sort_by {
        AgentSort::Hostname => order!(
            selection,
            lower(agents::hostname.nullable()),
            query.sort_order
        ),
        AgentSort::Status => order!(selection, agents::status, query.sort_order),
        AgentSort::Os => order!(selection, agents::os, query.sort_order),
        AgentSort::AgentVersion => order!(selection, agents::agent_version, query.sort_order),
        AgentSort::LastSeenAt => order!(selection, agents::last_seen_at, query.sort_order),
        AgentSort::CreatedAt => order!(selection, agents::created_at, query.sort_order),
    };
    let rows: Vec<AgentRow> = selection
        .then_order_by(agents::uuid.asc())
        .limit(i64::from(query.page.per_page()))
        .offset(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
        .select(AgentRow::as_select())
        .load(&mut conn)
        .await
        .map_err(query_error)?;
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
    fn only_hex_terms_search_uuid_prefixes() {
        assert_eq!(uuid_prefix("9F3A-"), Some("9f3a-".into()));
        assert_eq!(uuid_prefix("web"), None);
    }
}
