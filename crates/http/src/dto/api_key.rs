use chrono::{DateTime, Utc};
use serde::Serialize;
use slimrmm_domain::apikey::ApiKey;
use utoipa::ToSchema;

use slimrmm_domain::tenancy::Scope;

use super::RoleDto;

/// An API key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    /// Identifier.
    pub id: i64,
    /// The user it acts for.
    pub user_id: i64,
    /// What it is for.
    #[schema(example = "PSA sync")]
    pub name: String,
    /// The first characters of its secret, to recognise it.
    #[schema(example = "srk_Xk3v9QpL")]
    pub prefix: String,
    /// The most it may do (its owner's role caps it at every use).
    pub role: RoleDto,
    /// The clients it is limited to (within its owner's); `null` for its owner's.
    pub client_ids: Option<Vec<i64>>,
    /// When it stops working (never when null).
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// The address it was last used from.
    pub last_used_ip: Option<String>,
    /// Whether it was revoked.
    pub revoked: bool,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who made it.
    pub created_by: Option<i64>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl From<ApiKey> for ApiKeyResponse {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id.0,
            user_id: key.owner.0,
            name: key.name.as_str().to_owned(),
            prefix: key.prefix,
            role: key.role.into(),
            client_ids: key.scope.as_ref().and_then(Scope::ids),
            expires_at: key.expires_at,
            last_used_at: key.last_used_at,
            last_used_ip: key.last_used_from.map(|ip| ip.to_string()),
            revoked: key.revoked_at.is_some(),
            revoked_at: key.revoked_at,
            created_by: key.created_by.map(|user| user.0),
            created_at: key.created_at,
        }
    }
}

/// A new API key with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    /// The secret: send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Not
    /// retrievable later.
    #[schema(example = "srk_Xk3v9QpL...")]
    pub key: String,
    /// The key's details.
    #[serde(flatten)]
    pub details: ApiKeyResponse,
}
