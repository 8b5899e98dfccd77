use diesel::pg::Pg;
use diesel::prelude::*;
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::user::{User, UserListQuery, UserSort};

use super::UserRow;
use crate::Database;
use crate::schema::users;
use crate::sql::{contains_pattern, load_page, lower, sorted};

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

pub(super) async fn list(db: &Database, query: &UserListQuery) -> Result<Page<User>, PortError> {
    let mut conn = db.conn().await?;
    let (selection, order) = (filtered(query), query.sort_order);
    let ordered = match query.sort_by {
        UserSort::Username => {
            sorted!(selection, order, nulls_last lower(users::username.nullable()))
        }
        UserSort::Email => sorted!(selection, order, nulls_last lower(users::email)),
        UserSort::CreatedAt => sorted!(selection, order, nulls_last users::created_at),
        UserSort::LastLoginAt => sorted!(selection, order, nulls_last users::last_login_at),
    }
    .then_order_by(users::id.asc())
    .select(UserRow::as_select());
    load_page(&mut conn, query.page, filtered(query).count(), ordered)
        .await?
        .try_map(UserRow::into_domain)
}
