use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::policy::RunProgress;
use uuid::Uuid;

#[derive(QueryableByName)]
struct ProgressRow {
    #[diesel(sql_type = SqlUuid)]
    run: Uuid,
    #[diesel(sql_type = BigInt)]
    queued: i64,
    #[diesel(sql_type = BigInt)]
    sent: i64,
    #[diesel(sql_type = BigInt)]
    completed: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
    #[diesel(sql_type = BigInt)]
    timed_out: i64,
    #[diesel(sql_type = BigInt)]
    expired: i64,
    #[diesel(sql_type = BigInt)]
    cancelled: i64,
    #[diesel(sql_type = BigInt)]
    patches_installed: i64,
    #[diesel(sql_type = BigInt)]
    patches_failed: i64,
    #[diesel(sql_type = BigInt)]
    reboot_required: i64,
}

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The progress of each run, counted from its executions in one statement.
pub(super) async fn progress(
    conn: &mut AsyncPgConnection,
    runs: &[Uuid],
) -> QueryResult<HashMap<Uuid, RunProgress>> {
    let rows: Vec<ProgressRow> = diesel::sql_query(
        "SELECT policy_run_id AS run, \
           count(*) FILTER (WHERE status = 'queued') AS queued, \
           count(*) FILTER (WHERE status = 'sent') AS sent, \
           count(*) FILTER (WHERE status = 'completed') AS completed, \
           count(*) FILTER (WHERE status = 'failed') AS failed, \
           count(*) FILTER (WHERE status = 'timed_out') AS timed_out, \
           count(*) FILTER (WHERE status = 'expired') AS expired, \
           count(*) FILTER (WHERE status = 'cancelled') AS cancelled, \
           coalesce(sum(CASE WHEN jsonb_typeof(result -> 'patches_installed') = 'array' \
               THEN jsonb_array_length(result -> 'patches_installed') ELSE 0 END), 0)::bigint \
               AS patches_installed, \
           coalesce(sum(CASE WHEN jsonb_typeof(result -> 'patches_failed') = 'array' \
               THEN jsonb_array_length(result -> 'patches_failed') ELSE 0 END), 0)::bigint \
               AS patches_failed, \
           count(*) FILTER (WHERE result -> 'reboot_required' = 'true'::jsonb) AS reboot_required \
         FROM executions WHERE policy_run_id = ANY($1) GROUP BY policy_run_id",
    )
    .bind::<Array<SqlUuid>, _>(runs)
    .load(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let progress = RunProgress {
                queued: count(row.queued),
                sent: count(row.sent),
                completed: count(row.completed),
                failed: count(row.failed),
                timed_out: count(row.timed_out),
                expired: count(row.expired),
                cancelled: count(row.cancelled),
                patches_installed: row.patches_installed.unsigned_abs(),
                patches_failed: row.patches_failed.unsigned_abs(),
                reboot_required: count(row.reboot_required),
            };
            (row.run, progress)
        })
        .collect())
}
