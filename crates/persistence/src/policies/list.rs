use diesel::pg::Pg;
use diesel::prelude::*;
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::policy::{Policy, PolicyListQuery, PolicySort};

use super::PolicyRow;
use crate::Database;
use crate::schema::policies;
use crate::sql::{contains_pattern, load_page, lower, sorted};

fn filtered(query: &PolicyListQuery) -> policies::BoxedQuery<'static, Pg> {
    let mut selection = policies::table.into_boxed();
    if let Some(enabled) = query.filter.enabled {
        selection = selection.filter(policies::enabled.eq(enabled));
    }
    if let Some(term) = &query.search {
        let pattern = contains_pattern(term.as_str());
        selection = selection.filter(
            policies::name
                .nullable()
                .ilike(pattern.clone())
                .or(policies::description.ilike(pattern))
                .assume_not_null(),
        );
    }
    selection
}

pub(super) async fn list(
    db: &Database,
    query: &PolicyListQuery,
) -> Result<Page<Policy>, PortError> {
    let mut conn = db.conn().await?;
    let (selection, order) = (filtered(query), query.sort_order);
    let ordered = match query.sort_by {
        PolicySort::Name => sorted!(selection, order, lower(policies::name.nullable())),
        PolicySort::CreatedAt => sorted!(selection, order, policies::created_at),
        PolicySort::UpdatedAt => sorted!(selection, order, policies::updated_at),
        PolicySort::NextRunAt => sorted!(selection, order, nulls_last policies::next_run_at),
    }
    .then_order_by(policies::id.asc())
    .select(PolicyRow::as_select());
    load_page(&mut conn, query.page, filtered(query).count(), ordered)
        .await?
        .try_map(PolicyRow::into_domain)
}
