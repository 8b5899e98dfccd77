use anyhow::Context;
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use slimrmm_domain::PortError;
use slimrmm_domain::auth::{SessionId, TokenClaims, TokenIssuer, TokenKind, TokenRejection};
use slimrmm_domain::user::UserId;
use uuid::Uuid;

/// The shortest HMAC secret accepted: 32 bytes, the output size of SHA-256.
pub const MIN_SECRET_BYTES: usize = 32;
const ISSUER: &str = "slimrmm";
const LEEWAY_SECONDS: u64 = 5;

/// HS256 JSON Web Tokens.
pub struct JwtIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// The claims as they travel in the token.
#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    iss: String,
    sub: String,
    sid: Uuid,
    jti: Uuid,
    typ: Typ,
    iat: i64,
    exp: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Typ {
    Access,
    Refresh,
}

impl JwtIssuer {
    /// An issuer signing with `secret`, which must be at least [`MIN_SECRET_BYTES`] long.
    pub fn new(secret: &SecretString) -> anyhow::Result<Self> {
        let bytes = secret.expose_secret().as_bytes();
        anyhow::ensure!(
            bytes.len() >= MIN_SECRET_BYTES,
            "the JWT secret must be at least {MIN_SECRET_BYTES} bytes long"
        );
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        validation.leeway = LEEWAY_SECONDS;
        Ok(Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
        })
    }
}

impl TokenIssuer for JwtIssuer {
    fn issue(&self, claims: &TokenClaims) -> Result<String, PortError> {
        let wire = Wire {
            iss: ISSUER.to_owned(),
            sub: claims.user_id.to_string(),
            sid: claims.session_id.0,
            jti: claims.token_id,
            typ: match claims.kind {
                TokenKind::Access => Typ::Access,
                TokenKind::Refresh => Typ::Refresh,
            },
            iat: claims.issued_at.timestamp(),
            exp: claims.expires_at.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &wire, &self.encoding)
            .context("signing a token")
            .map_err(PortError::Unexpected)
    }

    fn verify(&self, token: &str) -> Result<TokenClaims, TokenRejection> {
        let wire = jsonwebtoken::decode::<Wire>(token, &self.decoding, &self.validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => TokenRejection::Expired,
                _ => TokenRejection::Invalid,
            })?
            .claims;
        let user_id = wire
            .sub
            .parse()
            .map(UserId)
            .map_err(|_| TokenRejection::Invalid)?;
        let instant =
            |seconds| DateTime::<Utc>::from_timestamp(seconds, 0).ok_or(TokenRejection::Invalid);
        Ok(TokenClaims {
            token_id: wire.jti,
            session_id: SessionId(wire.sid),
            user_id,
            kind: match wire.typ {
                Typ::Access => TokenKind::Access,
                Typ::Refresh => TokenKind::Refresh,
            },
            issued_at: instant(wire.iat)?,
            expires_at: instant(wire.exp)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{SubsecRound, TimeDelta};

    use super::*;

    fn issuer(secret: &str) -> JwtIssuer {
        JwtIssuer::new(&SecretString::from(secret.to_owned())).unwrap()
    }

    fn claims(kind: TokenKind, lifetime: TimeDelta) -> TokenClaims {
        let now = Utc::now().trunc_subsecs(0);
        TokenClaims {
            token_id: Uuid::new_v4(),
            session_id: SessionId(Uuid::new_v4()),
            user_id: UserId(42),
            kind,
            issued_at: now,
            expires_at: now + lifetime,
        }
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trips_every_claim() {
        let jwt = issuer(SECRET);
        for kind in [TokenKind::Access, TokenKind::Refresh] {
            let original = claims(kind, TimeDelta::minutes(15));
            let token = jwt.issue(&original).unwrap();
            assert_eq!(jwt.verify(&token), Ok(original));
        }
    }

    #[test]
    fn expired_tokens_are_told_apart_from_forged_ones() {
        let jwt = issuer(SECRET);
        let expired = jwt
            .issue(&claims(TokenKind::Access, TimeDelta::minutes(-5)))
            .unwrap();
        assert_eq!(jwt.verify(&expired), Err(TokenRejection::Expired));
        let other = issuer("another secret that is long enough!!");
        let forged = other
            .issue(&claims(TokenKind::Access, TimeDelta::minutes(5)))
            .unwrap();
        assert_eq!(jwt.verify(&forged), Err(TokenRejection::Invalid));
        assert_eq!(jwt.verify("not.a.jwt"), Err(TokenRejection::Invalid));
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(JwtIssuer::new(&SecretString::from("too short".to_owned())).is_err());
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        // {"alg":"none"} header with valid-looking claims and no signature.
        let jwt = issuer(SECRET);
        let token = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiIxIn0.";
        assert_eq!(jwt.verify(token), Err(TokenRejection::Invalid));
    }
}
