use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::Serialize;
use slimrmm_domain::enrollment::{EnrollmentToken, IssuedCertificate};
use utoipa::ToSchema;

/// An enrollment token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollmentTokenResponse {
    /// Identifier.
    pub id: i64,
    /// Name.
    #[schema(example = "Berlin office")]
    pub name: String,
    /// Agents enrolled with it are approved at once.
    pub auto_approve: bool,
    /// Tags given to its agents.
    pub tags: Vec<String>,
    /// The site its agents land in.
    pub site_id: i64,
    /// How many agents it may enroll (unlimited when null).
    pub max_uses: Option<u32>,
    /// How many it has enrolled.
    pub uses: u32,
    /// When it stops working (never when null).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether it was revoked.
    pub revoked: bool,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The admin who made it.
    pub created_by: Option<i64>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// When it last enrolled an agent.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<EnrollmentToken> for EnrollmentTokenResponse {
    fn from(token: EnrollmentToken) -> Self {
        Self {
            id: token.id.0,
            name: token.name.as_str().to_owned(),
            auto_approve: token.auto_approve,
            tags: token.tags.to_strings(),
            site_id: token.site.0,
            max_uses: token.max_uses,
            uses: token.uses,
            expires_at: token.expires_at,
            revoked: token.revoked_at.is_some(),
            revoked_at: token.revoked_at,
            created_by: token.created_by.map(|user| user.0),
            created_at: token.created_at,
            last_used_at: token.last_used_at,
        }
    }
}

/// A new enrollment token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedEnrollmentTokenResponse {
    /// The secret: `slimrmm-agent install -s https://server -k <token>`. Not retrievable later.
    pub token: String,
    /// The token's details.
    #[serde(flatten)]
    pub details: EnrollmentTokenResponse,
}

/// The agent's certificate bundle (PEM).
#[derive(Debug, Serialize, ToSchema)]
pub struct MtlsBundle {
    /// The client certificate.
    pub certificate_pem: String,
    /// Its private key (PKCS#8). Sent once; never stored by the server.
    pub private_key_pem: String,
    /// The CA that signed it.
    pub ca_certificate_pem: String,
}

impl From<IssuedCertificate> for MtlsBundle {
    fn from(issued: IssuedCertificate) -> Self {
        Self {
            certificate_pem: issued.certificate_pem,
            private_key_pem: issued.private_key_pem.expose_secret().to_owned(),
            ca_certificate_pem: issued.ca_certificate_pem,
        }
    }
}
