//! Certificate serial numbers as J-LIS hands them out: positive 63-bit integers, so a database
//! can key on them directly.

use std::fmt;

use serde::{Deserialize, Serialize};
use x509_cert::serial_number::SerialNumber;

use crate::PkiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Serial(u64);

impl Serial {
    /// Serial numbers are positive and below 2^63.
    pub fn new(v: u64) -> Option<Self> {
        (v > 0 && v <= i64::MAX as u64).then_some(Self(v))
    }

    pub fn value(self) -> u64 {
        self.0
    }

    pub fn to_x509(self) -> Result<SerialNumber, PkiError> {
        Ok(SerialNumber::new(&self.0.to_be_bytes())?)
    }

    /// From a certificate's serial; anything we could not have issued is an error.
    pub fn from_x509(s: &SerialNumber) -> Result<Self, PkiError> {
        let bytes = s.as_bytes();
        let trimmed: &[u8] = {
            let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
            &bytes[start..]
        };
        if trimmed.len() > 8 {
            return Err(PkiError::MalformedCertificate("serial number longer than 8 bytes".into()));
        }
        let mut buf = [0u8; 8];
        buf[8 - trimmed.len()..].copy_from_slice(trimmed);
        Serial::new(u64::from_be_bytes(buf))
            .ok_or_else(|| PkiError::MalformedCertificate("serial number zero or out of range".into()))
    }
}

impl fmt::Display for Serial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}", self.0)
    }
}

impl std::str::FromStr for Serial {
    type Err = String;
    /// Hexadecimal, as `openssl x509 -serial` prints it.
    fn from_str(s: &str) -> Result<Self, String> {
        let v = u64::from_str_radix(s.trim_start_matches("0x"), 16)
            .map_err(|_| format!("{s:?} is not a hexadecimal serial number"))?;
        Serial::new(v).ok_or_else(|| format!("{s:?} is out of range for a serial number"))
    }
}
