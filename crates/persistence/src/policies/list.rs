use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::list::{Page, SortOrder};
use slimrmm_domain::policy::{Policy, PolicyListQuery, PolicySort};

use super::PolicyRow;
use crate::Database;
use crate::error::query_error;
use crate::schema::policies;
use crate::sql::{contains_pattern, lower};

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
    let total: i64 = filtered(query)
        .count()
        .get_result(&mut conn)
        .await
        .map_err(query_error)?;
    let selection = filtered(query);
    let selection = match (query.sort_by, query.sort_order) {
        (PolicySort::Name, SortOrder::Asc) => {
            selection.order(lower(policies::name.nullable()).asc())
        }
        (PolicySort::Name, SortOrder::Desc) => {
            selection.order(lower(policies::name.nullable()).desc())
        }
        (PolicySort::CreatedAt, SortOrder::Asc) => selection.order(policies::created_at.asc()),
        (PolicySort::CreatedAt, SortOrder::Desc) => selection.order(policies::created_at.desc()),
        (PolicySort::UpdatedAt, SortOrder::Asc) => selection.order(policies::updated_at.asc()),
        (PolicySort::UpdatedAt, SortOrder::Desc) => selection.order(policies::updated_at.desc()),
        (PolicySort::NextRunAt, SortOrder::Asc) => {
            selection.order(policies::next_run_at.asc().nulls_last())
        }
        (PolicySort::NextRunAt, SortOrder::Desc) => {
            selection.order(policies::next_run_at.desc().nulls_last())
        }
    };
    let rows: Vec<PolicyRow> = selection
        .then_order_by(policies::id.asc())
        .limit(i64::from(query.page.per_page()))
        .offset(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
        .select(PolicyRow::as_select())
        .load(&mut conn)
        .await
        .map_err(query_error)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(PolicyRow::into_domain)
            .collect::<Result<_, _>>()?,
        total: total.unsigned_abs(),
        request: query.page,
    })
}
