use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use secrecy::{ExposeSecret, SecretString};
use slimrmm_domain::PortError;

use crate::Database;
use crate::error::query_error;
use crate::schema::server_secrets;

/// Secrets the server makes once and every replica shares (the JWT signing key when none is
/// configured).
#[derive(Clone)]
pub struct ServerSecrets {
    db: Database,
}

impl ServerSecrets {
    /// Secrets stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The secret called `name`; stores `candidate` first if there is none yet. When several
    /// processes race, all of them get the one value that was stored first.
    pub async fn get_or_create(
        &self,
        name: &str,
        candidate: &SecretString,
    ) -> Result<SecretString, PortError> {
        let mut conn = self.db.conn().await?;
        diesel::insert_into(server_secrets::table)
            .values((
                server_secrets::name.eq(name),
                server_secrets::value.eq(candidate.expose_secret()),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        let value: String = server_secrets::table
            .find(name)
            .select(server_secrets::value)
            .first(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(value.into())
    }
}
