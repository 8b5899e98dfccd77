use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::list::{Page, SortOrder};
use slimrmm_domain::script::{Script, ScriptListQuery, ScriptSort};

use super::ScriptRow;
use crate::Database;
use crate::error::query_error;
use crate::schema::scripts;
use crate::sql::{contains_pattern, lower};

fn filtered(query: &ScriptListQuery) -> scripts::BoxedQuery<'static, Pg> {
    let mut selection = scripts::table.into_boxed();
    if let Some(kind) = query.filter.script_type {
        selection = selection.filter(scripts::script_type.eq(kind.as_str()));
    }
    if let Some(category) = &query.filter.category {
        selection = selection.filter(
            lower(scripts::category)
                .eq(category.to_lowercase())
                .assume_not_null(),
        );
    }
    if let Some(term) = &query.search {
        let pattern = contains_pattern(term.as_str());
        selection = selection.filter(
            scripts::name
                .nullable()
                .ilike(pattern.clone())
                .or(scripts::description.ilike(pattern.clone()))
                .or(scripts::category.ilike(pattern))
                .assume_not_null(),
        );
    }
    selection
}

pub(super) async fn list(
    db: &Database,
    query: &ScriptListQuery,
) -> Result<Page<Script>, PortError> {
    let mut conn = db.conn().await?;
    let total: i64 = filtered(query)
        .count()
        .get_result(&mut conn)
        .await
        .map_err(query_error)?;
    let selection = filtered(query);
    let selection = match (query.sort_by, query.sort_order) {
        (ScriptSort::Name, SortOrder::Asc) => {
            selection.order(lower(scripts::name.nullable()).asc())
        }
        (ScriptSort::Name, SortOrder::Desc) => {
            selection.order(lower(scripts::name.nullable()).desc())
        }
        (ScriptSort::CreatedAt, SortOrder::Asc) => selection.order(scripts::created_at.asc()),
        (ScriptSort::CreatedAt, SortOrder::Desc) => selection.order(scripts::created_at.desc()),
        (ScriptSort::UpdatedAt, SortOrder::Asc) => selection.order(scripts::updated_at.asc()),
        (ScriptSort::UpdatedAt, SortOrder::Desc) => selection.order(scripts::updated_at.desc()),
    };
    let rows: Vec<ScriptRow> = selection
        .then_order_by(scripts::id.asc())
        .limit(i64::from(query.page.per_page()))
        .offset(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
        .select(ScriptRow::as_select())
        .load(&mut conn)
        .await
        .map_err(query_error)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(ScriptRow::into_domain)
            .collect::<Result<_, _>>()?,
        total: total.unsigned_abs(),
        request: query.page,
    })
}
