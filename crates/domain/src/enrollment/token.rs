use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::PortError;
use crate::agent::Tags;
use crate::auth::TokenDigest;
use crate::list::{ListQuery, Page};
use crate::tenancy::SiteId;
use crate::user::UserId;

/// An enrollment token's numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnrollmentTokenId(pub i64);

impl fmt::Display for EnrollmentTokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A token's name: 1 to 128 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenName(String);

impl TokenName {
    /// Trims and checks.
    pub fn parse(raw: &str) -> Result<Self, crate::agent::LabelError> {
        crate::agent::DisplayName::parse(raw).map(|name| Self(name.as_str().to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a token no longer admits agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// An admin revoked it.
    Revoked,
    /// Past its expiry.
    Expired,
    /// Used as often as it allows.
    Exhausted,
}

/// A token that lets agents enroll. Its secret is shown once, at creation; only its digest
/// is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentToken {
    /// Its id.
    pub id: EnrollmentTokenId,
    /// What it is for ("Berlin office laptops").
    pub name: TokenName,
    /// Agents enrolled with it are approved at once.
    pub auto_approve: bool,
    /// Tags given to every agent enrolled with it.
    pub tags: Tags,
    /// The site its agents land in.
    pub site: SiteId,
    /// How many agents it may enroll (unlimited when absent).
    pub max_uses: Option<u32>,
    /// How many it has enrolled.
    pub uses: u32,
    /// When it stops working (never when absent).
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who made it.
    pub created_by: Option<UserId>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it last enrolled an agent.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl EnrollmentToken {
    /// Why the token admits no agent at `now`, if it does not.
    pub fn refusal(&self, now: DateTime<Utc>) -> Option<TokenRefusal> {
        if self.revoked_at.is_some() {
            Some(TokenRefusal::Revoked)
        } else if self.expires_at.is_some_and(|expiry| expiry <= now) {
            Some(TokenRefusal::Expired)
        } else if self.max_uses.is_some_and(|max| self.uses >= max) {
            Some(TokenRefusal::Exhausted)
        } else {
            None
        }
    }
}

/// A token about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrollmentToken {
    /// See [`EnrollmentToken::name`].
    pub name: TokenName,
    /// The digest of its secret.
    pub digest: TokenDigest,
    /// See [`EnrollmentToken::auto_approve`].
    pub auto_approve: bool,
    /// See [`EnrollmentToken::tags`].
    pub tags: Tags,
    /// See [`EnrollmentToken::site`].
    pub site: SiteId,
    /// See [`EnrollmentToken::max_uses`].
    pub max_uses: Option<u32>,
    /// See [`EnrollmentToken::expires_at`].
    pub expires_at: Option<DateTime<Utc>>,
    /// See [`EnrollmentToken::created_by`].
    pub created_by: UserId,
}

crate::sort_key! {
    /// The fields a token list can be sorted by.
    pub enum EnrollmentTokenSort default CreatedAt {
        /// Creation time.
        CreatedAt => "created_at",
        /// Name.
        Name => "name",
        /// Expiry (never-expiring sorts last).
        ExpiresAt => "expires_at",
    }
}

/// Filters of the token list; search covers the name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrollmentTokenFilter {
    /// Only revoked (`true`) or unrevoked (`false`) tokens.
    pub revoked: Option<bool>,
}

/// A request for one page of tokens.
pub type EnrollmentTokenListQuery = ListQuery<EnrollmentTokenSort, EnrollmentTokenFilter>;

/// Where enrollment tokens are kept.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EnrollmentTokenRepository: Send + Sync {
    /// Stores a new token.
    async fn create(
        &self,
        token: &NewEnrollmentToken,
        now: DateTime<Utc>,
    ) -> Result<EnrollmentToken, PortError>;

    /// One page of tokens.
    async fn list(
        &self,
        query: &EnrollmentTokenListQuery,
    ) -> Result<Page<EnrollmentToken>, PortError>;

    /// The token whose secret has this digest.
    async fn find_by_digest(
        &self,
        digest: &TokenDigest,
    ) -> Result<Option<EnrollmentToken>, PortError>;

    /// Revokes the token (keeping the first revocation time). `None` when there is no such token.
    async fn revoke(
        &self,
        id: EnrollmentTokenId,
        now: DateTime<Utc>,
    ) -> Result<Option<EnrollmentToken>, PortError>;
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::test_support::{enrollment_token, t0};

    #[test]
    fn refusals_in_order_revoked_expired_exhausted() {
        let mut token = enrollment_token(false);
        assert_eq!(token.refusal(t0()), None);
        token.max_uses = Some(2);
        token.uses = 2;
        assert_eq!(token.refusal(t0()), Some(TokenRefusal::Exhausted));
        token.expires_at = Some(t0() - TimeDelta::seconds(1));
        assert_eq!(token.refusal(t0()), Some(TokenRefusal::Expired));
        token.revoked_at = Some(t0());
        assert_eq!(token.refusal(t0()), Some(TokenRefusal::Revoked));
    }
}
