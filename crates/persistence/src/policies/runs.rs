use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::PortError;
use slimrmm_domain::list::Page;
use slimrmm_domain::policy::{PolicyRunId, RunListQuery, RunSummary};

use super::RunRow;
use super::progress::progress;
use crate::Database;
use crate::error::query_error;
use crate::schema::policy_runs;
use crate::sql::{load_page, sorted};

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
    let ordered = sorted!(
        filtered(),
        query.sort_order,
        policy_runs::created_at,
        policy_runs::id
    )
    .select(RunRow::as_select());
    let page = load_page(&mut conn, query.page, filtered().count(), ordered).await?;
    Ok(Page {
        items: summaries(&mut conn, page.items).await?,
        total: page.total,
        request: page.request,
    })
}
