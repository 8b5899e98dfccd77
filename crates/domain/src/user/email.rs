use std::fmt;

const MAX_CHARS: usize = 254;
const MAX_LOCAL_CHARS: usize = 64;

/// An email address in the form browsers accept (`local@domain`, the WHATWG rule), at most 254
/// characters. Unique without regard to case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

/// An address that is not a valid email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a valid email address")]
pub struct EmailError;

impl Email {
    /// Trims surrounding whitespace and checks the shape.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let address = raw.trim();
        if address.chars().count() > MAX_CHARS {
            return Err(EmailError);
        }
        let (local, domain) = address.split_once('@').ok_or(EmailError)?;
        if valid_local_part(local) && valid_domain(domain) {
            Ok(Self(address.to_owned()))
        } else {
            Err(EmailError)
        }
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_local_part(local: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c);
    !local.is_empty() && local.len() <= MAX_LOCAL_CHARS && local.chars().all(allowed)
}

fn valid_domain(domain: &str) -> bool {
    let valid_label = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    !domain.is_empty() && domain.split('.').all(valid_label)
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shows only the domain, so logs never carry a full address.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let domain = self.0.split_once('@').map_or("", |(_, domain)| domain);
        write!(f, "Email(***@{domain})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        assert_eq!(
            Email::parse(" ops@example.com ").unwrap().as_str(),
            "ops@example.com"
        );
        assert!(Email::parse("first.last+tag@mail.example.co.uk").is_ok());
        assert!(Email::parse("root@localhost").is_ok());
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b@c",
            "a b@example.com",
            "a@-x.com",
            "a@x..com",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad:?}");
        }
    }

    #[test]
    fn debug_hides_the_local_part() {
        let email = Email::parse("jane@example.com").unwrap();
        assert_eq!(format!("{email:?}"), "Email(***@example.com)");
    }
}
