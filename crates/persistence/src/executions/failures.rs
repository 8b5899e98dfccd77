use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use slimrmm_domain::agent::Hostname;
use slimrmm_domain::execution::Execution;
use slimrmm_domain::notification::Notification;

use super::ExecutionRow;
use crate::outbox::enqueue;
use crate::schema::agents;

/// Writes a `RunFailed` notification for each script or policy execution among `rows` that
/// ended badly, in the caller's transaction.
pub(crate) async fn notify_failures(
    conn: &mut AsyncPgConnection,
    rows: &[ExecutionRow],
) -> QueryResult<()> {
    let failed: Vec<Execution> = rows
        .iter()
        .filter_map(|row| row.to_domain().ok())
        .filter(Execution::is_failed_run)
        .collect();
    if failed.is_empty() {
        return Ok(());
    }
    let uuids: Vec<uuid::Uuid> = failed.iter().map(|execution| execution.agent.0).collect();
    let hostnames: HashMap<uuid::Uuid, String> = agents::table
        .filter(agents::uuid.eq_any(&uuids))
        .select((agents::uuid, agents::hostname))
        .load::<(uuid::Uuid, String)>(conn)
        .await?
        .into_iter()
        .collect();
    let notifications: Vec<Notification> = failed
        .iter()
        .filter_map(|execution| {
            let hostname = Hostname::parse(hostnames.get(&execution.agent.0)?).ok()?;
            Notification::for_failed_run(execution, hostname)
        })
        .collect();
    enqueue(conn, &notifications, None).await
}
