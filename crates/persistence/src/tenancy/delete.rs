//! Deleting a client or a site unless live agents remain in it, in one statement: the count
//! and the deletion see the same snapshot, and an agent enrolled into the site meanwhile makes
//! the deletion fail on `agents_live_have_site` instead of losing its site.

use diesel::QueryableByName;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Bool};
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;
use slimrmm_domain::tenancy::DeleteOutcome;

use crate::Database;
use crate::error::query_error;

/// What is deleted.
#[derive(Clone, Copy)]
pub(super) enum Level {
    Client,
    Site,
}

#[derive(QueryableByName)]
struct Outcome {
    #[diesel(sql_type = Bool)]
    existed: bool,
    #[diesel(sql_type = BigInt)]
    agents: i64,
}

pub(super) async fn delete(
    db: &Database,
    level: Level,
    id: i64,
) -> Result<DeleteOutcome, PortError> {
    let (table, column) = match level {
        Level::Client => ("clients", "client_id"),
        Level::Site => ("sites", "site_id"),
    };
    let mut conn = db.conn().await?;
    let outcome: Result<Outcome, _> = diesel::sql_query(format!(
        "WITH remaining AS (SELECT count(*) AS agents FROM agents \
                            WHERE {column} = $1 AND deleted_at IS NULL), \
              gone AS (DELETE FROM {table} WHERE id = $1 \
                       AND (SELECT agents FROM remaining) = 0 RETURNING id) \
         SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1) AS existed, \
                (SELECT agents FROM remaining) AS agents"
    ))
    .bind::<BigInt, _>(id)
    .get_result(&mut conn)
    .await;
    match outcome {
        Ok(Outcome { existed: false, .. }) => Ok(DeleteOutcome::NotFound),
        Ok(Outcome { agents: 0, .. }) => Ok(DeleteOutcome::Deleted),
        Ok(Outcome { agents, .. }) => Ok(DeleteOutcome::HasAgents(agents.unsigned_abs())),
        // An agent arrived between the count and the deletion.
        Err(DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info))
            if info.constraint_name() == Some("agents_live_have_site") =>
        {
            Ok(DeleteOutcome::HasAgents(1))
        }
        Err(error) => Err(query_error(error)),
    }
}
