use std::fmt;
use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::auth::TokenDigest;
use crate::tenancy::Scope;
use crate::user::{Role, User, UserId};

/// What every key's secret starts with, so that it is told from a JWT at a glance (and by
/// secret scanners).
pub const KEY_PREFIX: &str = "srk_";

/// How many characters of a secret are kept to recognise it (`srk_` and eight more).
pub(super) const SHOWN: usize = 12;

/// True when `credential` has the form of an API key rather than of a JWT.
pub fn is_api_key(credential: &str) -> bool {
    credential.starts_with(KEY_PREFIX)
}

/// A key's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiKeyId(pub i64);

impl fmt::Display for ApiKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A key's name: 1 to 128 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName(String);

impl KeyName {
    /// Trims and checks.
    pub fn parse(raw: &str) -> Result<Self, crate::agent::LabelError> {
        crate::agent::DisplayName::parse(raw).map(|name| Self(name.as_str().to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A key as stored: never its secret, only what recognises it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Its id.
    pub id: ApiKeyId,
    /// The user it acts for.
    pub owner: UserId,
    /// What it is for.
    pub name: KeyName,
    /// The first characters of its secret (`srk_` and eight more).
    pub prefix: String,
    /// The most it may do; the owner's role caps it at every use.
    pub role: Role,
    /// The clients it is limited to; `None` follows the owner's. The owner's scope caps it at
    /// every use.
    pub scope: Option<Scope>,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Where it was last used from.
    pub last_used_from: Option<IpAddr>,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    /// See [`ApiKey::owner`].
    pub owner: UserId,
    /// See [`ApiKey::name`].
    pub name: KeyName,
    /// See [`ApiKey::prefix`].
    pub prefix: String,
    /// The digest of its secret.
    pub digest: TokenDigest,
    /// See [`ApiKey::role`].
    pub role: Role,
    /// See [`ApiKey::scope`].
    pub scope: Option<Scope>,
    /// See [`ApiKey::expires_at`].
    pub expires_at: Option<DateTime<Utc>>,
    /// See [`ApiKey::created_by`].
    pub created_by: UserId,
}

/// A key with its owner as they are now, for authenticating a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWithOwner {
    /// The key.
    pub key: ApiKey,
    /// Its owner.
    pub owner: User,
}
