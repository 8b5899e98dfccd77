use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::list::{Page, SortOrder};
use slimrmm_domain::user::{User, UserListQuery, UserSort};

use super::UserRow;
use crate::Database;
use crate::error::query_error;
use crate::schema::users;
use crate::sql::{contains_pattern, lower};

fn filtered(query: &UserListQuery) -> users::BoxedQuery<'static, Pg> {
    let mut selection = users::table.into_boxed();
    if let Some(role) = query.filter.role {
        selection = selection.filter(users::role.eq(role.as_str()));
    }
    if let Some(active) = query.filter.is_active {
        selection = selection.filter(users::is_active.eq(active));
    }
    if let Some(term) = &query.search {
        let pattern = contains_pattern(term.as_str());
        selection = selection.filter(
            users::username
                .nullable()
                .ilike(pattern.clone())
                .or(users::email.ilike(pattern.clone()))
                .or(users::full_name.ilike(pattern))
                .assume_not_null(),
        );
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

pub(super) async fn list(db: &Database, query: &UserListQuery) -> Result<Page<User>, PortError> {
    let mut conn = db.conn().await?;
    let total: i64 = filtered(query)
        .count()
        .get_result(&mut conn)
        .await
        .map_err(query_error)?;
    let selection = filtered(query);
    let selection = match query.sort_by {
        UserSort::Username => order!(
            selection,
            lower(users::username.nullable()),
            query.sort_order
        ),
        UserSort::Email => order!(selection, lower(users::email), query.sort_order),
        UserSort::CreatedAt => order!(selection, users::created_at, query.sort_order),
        UserSort::LastLoginAt => order!(selection, users::last_login_at, query.sort_order),
    };
    let rows: Vec<UserRow> = selection
        .then_order_by(users::id.asc())
        .limit(i64::from(query.page.per_page()))
        .offset(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
        .select(UserRow::as_select())
        .load(&mut conn)
        .await
        .map_err(query_error)?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(UserRow::into_domain)
            .collect::<Result<_, _>>()?,
        total: total.unsigned_abs(),
        request: query.page,
    })
}
