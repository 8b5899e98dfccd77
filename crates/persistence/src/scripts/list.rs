use diesel::pg::Pg;
use diesel::prelude::*;
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::script::{Script, ScriptListQuery, ScriptSort};

use super::ScriptRow;
use crate::Database;
use crate::schema::scripts;
use crate::sql::{contains_pattern, load_page, lower, sorted};

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
    let (selection, order) = (filtered(query), query.sort_order);
    let ordered = match query.sort_by {
        ScriptSort::Name => sorted!(selection, order, lower(scripts::name.nullable())),
        ScriptSort::CreatedAt => sorted!(selection, order, scripts::created_at),
        ScriptSort::UpdatedAt => sorted!(selection, order, scripts::updated_at),
    }
    .then_order_by(scripts::id.asc())
    .select(ScriptRow::as_select());
    load_page(&mut conn, query.page, filtered(query).count(), ordered)
        .await?
        .try_map(ScriptRow::into_domain)
}
