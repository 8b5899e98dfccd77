//! The server's own secrets: the JWT signing key, the master key, the agent CA.

use anyhow::Context;
use secrecy::SecretString;
use slimrmm_auth::random_url_safe;
use slimrmm_crypto::{AgentCa, CaMaterial, KeySource, MasterKey};
use slimrmm_persistence::{CertificateAuthorityStore, Database, ServerSecrets};

use crate::config::Config;

/// Name under which the generated JWT signing key is kept in the database.
const JWT_SECRET_NAME: &str = "jwt_signing_key";

pub(super) async fn jwt_secret(config: &Config, db: &Database) -> anyhow::Result<SecretString> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let candidate = SecretString::from(random_url_safe(48));
    ServerSecrets::new(db.clone())
        .get_or_create(JWT_SECRET_NAME, &candidate)
        .await
        .context("reading the JWT signing key from the database")
}

/// The master key from `SLIMRMM_SECRET_KEY`, or the key file under `SLIMRMM_DATA_DIR`. A new
/// key file is generated only for a database that holds no agent CA yet: a key could not open
/// an existing CA, so generating one would only leave a stray file behind.
pub async fn master_key(config: &Config, db: &Database) -> anyhow::Result<MasterKey> {
    let data_dir = config.data_dir();
    if config.secret_key.is_none() && !data_dir.join("secret.key").exists() {
        let stored = CertificateAuthorityStore::new(db.clone())
            .get()
            .await
            .context("reading the agent CA")?;
        anyhow::ensure!(
            stored.is_none(),
            "this database's agent CA is sealed with a master key that is not here: \
             SLIMRMM_SECRET_KEY is unset and {} holds no secret.key. Set SLIMRMM_SECRET_KEY, or \
             SLIMRMM_DATA_DIR to the directory of the key the CA was created with (no new key \
             was generated)",
            data_dir.display()
        );
    }
    let (key, source) =
        MasterKey::load(config.secret_key.as_ref(), &data_dir).context("SLIMRMM_SECRET_KEY")?;
    match source {
        KeySource::Configured => tracing::info!("master key from SLIMRMM_SECRET_KEY"),
        KeySource::File(path) => tracing::info!(path = %path.display(), "master key from file"),
        KeySource::Generated(path) => tracing::warn!(
            path = %path.display(),
            "generated a new master key file; back it up (without it the agent CA is lost), \
             and give every replica the same key (SLIMRMM_SECRET_KEY)"
        ),
    }
    Ok(key)
}

/// The agent CA: created and stored (key sealed) on first start, loaded afterwards. Fails
/// when the stored CA does not open with this master key.
pub async fn certificate_authority(db: &Database, master: &MasterKey) -> anyhow::Result<AgentCa> {
    let store = CertificateAuthorityStore::new(db.clone());
    let (certificate_pem, sealed_key) = match store.get().await.context("reading the agent CA")? {
        Some(stored) => stored,
        None => {
            let fresh = CaMaterial::generate(master, chrono::Utc::now())?;
            let stored = store
                .get_or_create((&fresh.certificate_pem, &fresh.sealed_key))
                .await
                .context("storing the agent CA")?;
            if stored.0 == fresh.certificate_pem {
                tracing::info!("created the agent certificate authority");
            }
            stored
        }
    };
    AgentCa::load(
        &CaMaterial {
            certificate_pem,
            sealed_key,
        },
        master,
    )
    .context(
        "the stored agent CA does not open with this master key: set the SLIMRMM_SECRET_KEY \
         (or key file) it was created with",
    )
}
