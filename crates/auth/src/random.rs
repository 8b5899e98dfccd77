use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use slimrmm_domain::auth::{OpaqueToken, SecretGenerator};

/// `bytes` random bytes from the operating system's CSPRNG (via rand's thread RNG), encoded
/// as unpadded URL-safe base64.
pub fn random_url_safe(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::fill(buffer.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buffer)
}

/// Random tokens of 256 bits.
#[derive(Debug, Clone, Copy, Default)]
pub struct RandomSecrets;

impl SecretGenerator for RandomSecrets {
    fn opaque_token(&self) -> OpaqueToken {
        OpaqueToken::from_generated(random_url_safe(32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_url_safe_distinct_and_parse_back() {
        let a = RandomSecrets.opaque_token();
        let b = RandomSecrets.opaque_token();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 43);
        assert_eq!(OpaqueToken::parse(a.expose()), Some(a));
    }
}
