use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::list::{Page, SortOrder};
use slimrmm_domain::policy::{PolicyRunId, RunListQuery, RunSummary};

use super::RunRow;
use super::progress::progress;
use crate::Database;
use crate::error::query_error;
use crate::schema::policy_runs;

async fn summaries(
    conn: &mut AsyncPgConnection,
    rows: Vec<RunRow>,
) -> Result<Vec<RunSummary>, PortError> {
    let ids: Vec<uuid::Uuid> = rows.iter().map(|row| row.id).collect();
    let mut progress = progress(conn, &ids).await.map_err(query_error)?;
    rows.into_iter()
        .map(|row| {
            let counted = progress.remove(&row.id).unwrap_or_default();
            Ok(RunSummary {
                run: row.into_domain()?,
                progress: counted,
            })
        })
        .collect()
}

pub(super) async fn find(db: &Database, id: PolicyRunId) -> Result<Option<RunSummary>, PortError> {
    let mut conn = db.conn().await?;
    let row: Option<RunRow> = policy_runs::table
        .find(id.0)
        .select(RunRow::as_select())
        .first(&mut conn)
        .await
        .optional()
        .map_err(query_error)?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(summaries(&mut conn, vec![row]).await?.pop())
}

pub(super) async fn list(
    db: &Database,
    query: &RunListQuery,
) -> Result<Page<RunSummary>, PortError> {
    let mut conn = db.conn().await?;
    let filtered = || {
        let mut selection = policy_runs::table.into_boxed();
        if let Some(policy) = query.filter.policy {
            selection = selection.filter(policy_runs::policy_id.eq(policy.0));
        }
        selection
    };
    let total: i64 = filtered()
        .count()
        .get_result(&mut conn)
        .await
        .map_err(query_error)?;
    let ordered = match query.sort_order {
        SortOrder::Asc => filtered().order((policy_runs::created_at.asc(), policy_runs::id.asc())),
        SortOrder::Desc => {
            filtered().order((policy_runs::created_at.desc(), policy_runs::id.desc()))
        }
    };
    let rows: Vec<RunRow> = ordered
        .limit(i64::from(query.page.per_page()))
        .offset(i64::try_from(query.page.offset()).unwrap_or(i64::MAX))
        .select(RunRow::as_select())
        .load(&mut conn)
        .await
        .map_err(query_error)?;
    Ok(Page {
        items: summaries(&mut conn, rows).await?,
        total: total.unsigned_abs(),
        request: query.page,
    })
}
