use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};

/// The key file's name under the data directory.
pub const KEY_FILE: &str = "secret.key";
const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// The server's master key. `Debug` shows nothing of it.
pub struct MasterKey {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

/// Where the master key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `SLIMRMM_SECRET_KEY`.
    Configured,
    /// An existing key file.
    File(PathBuf),
    /// A key file created just now.
    Generated(PathBuf),
}

/// Why the master key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    /// Not 32 bytes in base64 or hex.
    #[error("the master key must be 32 bytes, given as base64 or 64 hex digits")]
    Malformed,
    /// The key file could not be read or written.
    #[error("key file {path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Why sealed data could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// Too short, or from an unknown format version.
    #[error("sealed data is malformed")]
    Malformed,
    /// Sealed with another key, for another purpose, or tampered with.
    #[error("sealed data does not open with this key (wrong SLIMRMM_SECRET_KEY or key file?)")]
    WrongKey,
}

impl MasterKey {
    /// A key from its text form: 32 bytes as base64 (standard or URL-safe, padded or not) or
    /// as 64 hex digits.
    pub fn from_encoded(text: &str) -> Result<Self, MasterKeyError> {
        let text = text.trim();
        let bytes = decode_hex(text)
            .or_else(|| {
                [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                    .iter()
                    .find_map(|engine| engine.decode(text).ok())
            })
            .filter(|bytes| bytes.len() == 32)
            .ok_or(MasterKeyError::Malformed)?;
        let key = Key::try_from(bytes.as_slice()).map_err(|_| MasterKeyError::Malformed)?;
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key),
        })
    }

    /// The configured key if there is one; otherwise the key file under `data_dir`, created
    /// (mode 0600, directory 0700) with a random key when missing.
    pub fn load(
        configured: Option<&SecretString>,
        data_dir: &Path,
    ) -> Result<(Self, KeySource), MasterKeyError> {
        if let Some(text) = configured {
            return Ok((
                Self::from_encoded(text.expose_secret())?,
                KeySource::Configured,
            ));
        }
        let path = data_dir.join(KEY_FILE);
        let file_error = |source| MasterKeyError::File {
            path: path.clone(),
            source,
        };
        match fs::read_to_string(&path) {
            Ok(text) => {
                warn_if_readable_by_others(&path);
                return Ok((Self::from_encoded(&text)?, KeySource::File(path)));
            }
            Err(error) if error.kind() != ErrorKind::NotFound => return Err(file_error(error)),
            Err(_) => {}
        }
        fs::create_dir_all(data_dir).map_err(file_error)?;
        let _ = fs::set_permissions(data_dir, fs::Permissions::from_mode(0o700));
        let mut bytes = [0u8; 32];
        rand::fill(&mut bytes);
        let encoded = STANDARD.encode(bytes);
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut file) => {
                file.write_all(format!("{encoded}\n").as_bytes())
                    .map_err(file_error)?;
                file.sync_all().map_err(file_error)?;
                Ok((Self::from_encoded(&encoded)?, KeySource::Generated(path)))
            }
            // Another process on this host created it a moment ago.
            Err(error) if error.kind() == ErrorKind::AlreadyExists => {
                let text = fs::read_to_string(&path).map_err(file_error)?;
                Ok((Self::from_encoded(&text)?, KeySource::File(path)))
            }
            Err(error) => Err(file_error(error)),
        }
    }

    /// Encrypts `plaintext`, binding it to `purpose` (a label such as `agent-ca-key`): it
    /// opens only with the same key and the same purpose.
    pub fn seal(&self, plaintext: &[u8], purpose: &str) -> Vec<u8> {
        let nonce = XNonce::generate();
        let payload = Payload {
            msg: plaintext,
            aad: purpose.as_bytes(),
        };
        let ciphertext = self
            .cipher
            .encrypt(&nonce, payload)
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(FORMAT_VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Decrypts what [`seal`](Self::seal) made for the same `purpose`.
    pub fn open(&self, sealed: &[u8], purpose: &str) -> Result<Vec<u8>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Malformed)?;
        if version != FORMAT_VERSION || rest.len() < NONCE_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| SealError::Malformed)?;
        let payload = Payload {
            msg: ciphertext,
            aad: purpose.as_bytes(),
        };
        self.cipher
            .decrypt(&nonce, payload)
            .map_err(|_| SealError::WrongKey)
    }
}

impl slimrmm_domain::sealer::SecretSealer for MasterKey {
    fn seal(&self, plaintext: &[u8], purpose: &str) -> Vec<u8> {
        MasterKey::seal(self, plaintext, purpose)
    }

    fn open(&self, sealed: &[u8], purpose: &str) -> Result<Vec<u8>, slimrmm_domain::PortError> {
        MasterKey::open(self, sealed, purpose).map_err(|error| {
            slimrmm_domain::PortError::unexpected(anyhow::anyhow!(
                "a sealed secret ({purpose}) does not open: {error}"
            ))
        })
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 || !text.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fn warn_if_readable_by_others(path: &Path) {
    if let Ok(metadata) = fs::metadata(path)
        && metadata.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the master key file is readable by other users; chmod 600 it");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> MasterKey {
        MasterKey::from_encoded(&STANDARD.encode([byte; 32])).unwrap()
    }

    #[test]
    fn sealed_data_opens_only_with_the_same_key_and_purpose() {
        let sealed = key(1).seal(b"ca private key", "agent-ca-key");
        assert_eq!(
            key(1).open(&sealed, "agent-ca-key").unwrap(),
            b"ca private key"
        );
        assert!(matches!(
            key(2).open(&sealed, "agent-ca-key"),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            key(1).open(&sealed, "smtp-password"),
            Err(SealError::WrongKey)
        ));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(matches!(
            key(1).open(&tampered, "agent-ca-key"),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            key(1).open(&[1, 2, 3], "agent-ca-key"),
            Err(SealError::Malformed)
        ));
        assert_ne!(
            sealed,
            key(1).seal(b"ca private key", "agent-ca-key"),
            "nonces are fresh"
        );
    }

    #[test]
    fn accepts_base64_and_hex_and_refuses_other_lengths() {
        assert!(MasterKey::from_encoded(&"ab".repeat(32)).is_ok());
        assert!(MasterKey::from_encoded(&URL_SAFE_NO_PAD.encode([9u8; 32])).is_ok());
        assert!(matches!(
            MasterKey::from_encoded("c2hvcnQ="),
            Err(MasterKeyError::Malformed)
        ));
    }

    #[test]
    fn a_key_file_is_created_once_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("slimrmm-key-{}", uuid::Uuid::new_v4()));
        let (first, source) = MasterKey::load(None, &dir).unwrap();
        assert!(matches!(source, KeySource::Generated(_)));
        let mode = fs::metadata(dir.join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let (second, source) = MasterKey::load(None, &dir).unwrap();
        assert!(matches!(source, KeySource::File(_)));
        let sealed = first.seal(b"x", "p");
        assert_eq!(second.open(&sealed, "p").unwrap(), b"x");
        fs::remove_dir_all(dir).unwrap();
    }
}
