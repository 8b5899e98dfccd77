//! One-time passwords (RFC 6238) with `totp-rs`, and their QR code with `qrcodegen`.

use chrono::{DateTime, Utc};
use qrcodegen::{QrCode, QrCodeEcc};
use secrecy::{ExposeSecret, SecretString};
use slimrmm_domain::PortError;
use slimrmm_domain::auth::{OneTimePasswords, Provisioning};
use totp_rs::{Builder, Secret, Totp};

/// What authenticator apps show as the account's issuer.
const ISSUER: &str = "SlimRMM";

/// SHA-1, six digits, 30-second steps, one step of drift either way: what every
/// authenticator app does.
#[derive(Debug, Clone, Copy, Default)]
pub struct TotpCodes;

fn totp(secret: &SecretString, account: &str) -> Result<Totp, PortError> {
    let bytes = Secret::try_from_base32(secret.expose_secret())
        .map_err(|error| PortError::unexpected(anyhow::anyhow!("stored TOTP secret: {error:?}")))?;
    Builder::new()
        .with_secret(bytes)
        .with_account_name(account.to_owned())
        .with_issuer(Some(ISSUER.to_owned()))
        .build()
        .map_err(|error| PortError::unexpected(anyhow::anyhow!("TOTP parameters: {error:?}")))
}

/// The QR code of `text` as an SVG image, four modules of quiet zone around it.
fn qr_svg(text: &str) -> Result<String, PortError> {
    let code = QrCode::encode_text(text, QrCodeEcc::Medium)
        .map_err(|error| PortError::unexpected(anyhow::anyhow!("QR code: {error:?}")))?;
    let (size, border) = (code.size(), 4);
    let side = size + 2 * border;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
         shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

impl OneTimePasswords for TotpCodes {
    fn new_secret(&self) -> SecretString {
        let mut bytes = [0u8; 20];
        rand::fill(&mut bytes);
        SecretString::from(Secret::from(bytes.to_vec()).to_base32())
    }

    fn provisioning(
        &self,
        secret: &SecretString,
        account: &str,
    ) -> Result<Provisioning, PortError> {
        // A colon would end the label early in the URI; usernames have none, but be sure.
        let account = account.replace(':', "_");
        let uri = totp(secret, &account)?
            .to_url()
            .map_err(|error| PortError::unexpected(anyhow::anyhow!("otpauth URI: {error:?}")))?;
        Ok(Provisioning {
            qr_svg: qr_svg(&uri)?,
            uri,
        })
    }

    fn verify(&self, secret: &SecretString, code: &str, at: DateTime<Utc>) -> Option<u64> {
        let seconds = u64::try_from(at.timestamp()).ok()?;
        totp(secret, "").ok()?.check(code, seconds)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret ("12345678901234567890"), its code at 59 s.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_and_one_step_of_drift() {
        let secret = SecretString::from(RFC_SECRET);
        let at = |seconds| Utc.timestamp_opt(seconds, 0).single().unwrap();
        // The RFC's 8-digit 94287082 is 287082 in six digits.
        assert_eq!(TotpCodes.verify(&secret, "287082", at(59)), Some(1));
        assert_eq!(
            TotpCodes.verify(&secret, "287082", at(89)),
            Some(1),
            "one step late"
        );
        assert_eq!(
            TotpCodes.verify(&secret, "287082", at(120)),
            None,
            "two steps late"
        );
        assert_eq!(TotpCodes.verify(&secret, "000000", at(59)), None);
        assert_eq!(TotpCodes.verify(&secret, "28708", at(59)), None);
    }

    #[test]
    fn enrolment_gives_a_fresh_secret_a_uri_and_a_qr_image() {
        let secret = TotpCodes.new_secret();
        assert_eq!(secret.expose_secret().len(), 32, "160 bits in base32");
        assert_ne!(
            secret.expose_secret(),
            TotpCodes.new_secret().expose_secret()
        );
        let provisioning = TotpCodes.provisioning(&secret, "jane").unwrap();
        assert!(provisioning.uri.starts_with("otpauth://totp/SlimRMM:jane?"));
        assert!(provisioning.uri.contains(secret.expose_secret()));
        assert!(provisioning.qr_svg.starts_with("<svg") && provisioning.qr_svg.contains("M4,4h1"));
    }
}
