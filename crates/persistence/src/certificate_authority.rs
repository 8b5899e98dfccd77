use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use slimrmm_domain::PortError;

use crate::Database;
use crate::error::query_error;
use crate::schema::certificate_authority;

/// The stored agent CA: its certificate and its sealed private key, one row shared by every
/// server process.
#[derive(Clone)]
pub struct CertificateAuthorityStore {
    db: Database,
}

impl CertificateAuthorityStore {
    /// The CA stored in `db`.
    pub fn new(db: Database) -> Self {
        Self { db }
    }

    /// The stored CA as `(certificate_pem, sealed_key)`; `candidate` is stored first when
    /// there is none, so that processes starting together agree on the one stored first.
    pub async fn get_or_create(
        &self,
        candidate: (&str, &[u8]),
    ) -> Result<(String, Vec<u8>), PortError> {
        let mut conn = self.db.conn().await?;
        diesel::insert_into(certificate_authority::table)
            .values((
                certificate_authority::id.eq(1_i16),
                certificate_authority::certificate_pem.eq(candidate.0),
                certificate_authority::sealed_key.eq(candidate.1),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(query_error)?;
        certificate_authority::table
            .find(1_i16)
            .select((
                certificate_authority::certificate_pem,
                certificate_authority::sealed_key,
            ))
            .first(&mut conn)
            .await
            .map_err(query_error)
    }

    /// The stored CA, if one was created.
    pub async fn get(&self) -> Result<Option<(String, Vec<u8>)>, PortError> {
        let mut conn = self.db.conn().await?;
        certificate_authority::table
            .find(1_i16)
            .select((
                certificate_authority::certificate_pem,
                certificate_authority::sealed_key,
            ))
            .first(&mut conn)
            .await
            .optional()
            .map_err(query_error)
    }
}
