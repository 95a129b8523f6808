//! The card's two secrets: the 4-digit user-authentication PIN and the 6–16 character signing
//! password (upper-case letters and digits, both used). A `Secret` that exists has the right form.

use std::fmt;

use crate::CertKind;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    kind: CertKind,
    value: String,
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({:?}, ****)", self.kind)
    }
}

impl Secret {
    /// Checks the form; the message says what the rule is, never which character broke it
    /// beyond the class.
    pub fn new(kind: CertKind, value: &str) -> Result<Self, String> {
        match kind {
            CertKind::UserAuth => {
                if value.len() != 4 || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err("the user-authentication PIN is 4 digits".into());
                }
            }
            CertKind::Signing => {
                let len = value.chars().count();
                if !(6..=16).contains(&len) {
                    return Err("the signing password is 6 to 16 characters".into());
                }
                if !value.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
                    return Err("the signing password uses only upper-case letters A-Z and digits 0-9".into());
                }
                if !value.bytes().any(|b| b.is_ascii_uppercase()) || !value.bytes().any(|b| b.is_ascii_digit()) {
                    return Err("the signing password combines upper-case letters and digits".into());
                }
            }
        }
        Ok(Self { kind, value: value.to_owned() })
    }

    pub fn kind(&self) -> CertKind {
        self.kind
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.value.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(Secret::new(CertKind::UserAuth, "1234").is_ok());
        for bad in ["123", "12345", "12a4", "１２３４"] {
            assert!(Secret::new(CertKind::UserAuth, bad).is_err(), "{bad}");
        }
        assert!(Secret::new(CertKind::Signing, "ABC123").is_ok());
        assert!(Secret::new(CertKind::Signing, "A1B2C3D4E5F6G7H8").is_ok());
        for bad in ["AB12", "abc123", "ABCDEFG", "1234567", "A1B2C3D4E5F6G7H8I", "ABC 123"] {
            assert!(Secret::new(CertKind::Signing, bad).is_err(), "{bad}");
        }
    }
}
