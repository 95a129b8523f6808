//! Issuing numbers from a counter through a keyed format-preserving permutation.
//!
//! FF1 (NIST SP 800-38G) with AES-256 over decimal strings is a permutation of the 10^n
//! strings of n digits: distinct serials give distinct numbers, so the issuer needs no
//! table of numbers already given, only a counter that never goes back. Without the key,
//! serial k's number says nothing about serial k+1's.

use fpe::ff1::{FF1, FlexibleNumeralString};

use crate::{CorporateNumber, IndividualNumber};

/// Serials for individual numbers are below 10^11 (the 11-digit body space).
pub const INDIVIDUAL_SPACE: u64 = 100_000_000_000;
/// Serials for corporate numbers are below 10^12.
pub const CORPORATE_SPACE: u64 = 1_000_000_000_000;

const TWEAK_INDIVIDUAL: &[u8] = b"myna/individual-number";
const TWEAK_CORPORATE: &[u8] = b"myna/corporate-number";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IssueError {
    #[error("serial {serial} is outside the number space (below {space})")]
    Exhausted { serial: u64, space: u64 },
    #[error("format-preserving encryption failed: {0}")]
    Cipher(String),
}

/// Issues individual and corporate numbers from serials under one secret key.
pub struct NumberIssuer {
    ff1: FF1<aes::Aes256>,
}

impl std::fmt::Debug for NumberIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NumberIssuer(key hidden)")
    }
}

impl NumberIssuer {
    pub fn new(key: &[u8; 32]) -> Result<Self, IssueError> {
        let ff1 = FF1::new(key, 10).map_err(|e| IssueError::Cipher(format!("{e:?}")))?;
        Ok(Self { ff1 })
    }

    fn permute<const N: usize>(&self, tweak: &[u8], serial: u64, space: u64) -> Result<[u8; N], IssueError> {
        if serial >= space {
            return Err(IssueError::Exhausted { serial, space });
        }
        let mut digits = vec![0u16; N];
        let mut v = serial;
        for d in digits.iter_mut().rev() {
            *d = (v % 10) as u16;
            v /= 10;
        }
        let out: Vec<u16> = self
            .ff1
            .encrypt(tweak, &FlexibleNumeralString::from(digits))
            .map_err(|e| IssueError::Cipher(format!("{e:?}")))?
            .into();
        let mut arr = [0u8; N];
        for (a, d) in arr.iter_mut().zip(out) {
            *a = d as u8;
        }
        Ok(arr)
    }

    /// The individual number for a serial. Serials must never be reused by the caller.
    pub fn individual(&self, serial: u64) -> Result<IndividualNumber, IssueError> {
        self.permute::<11>(TWEAK_INDIVIDUAL, serial, INDIVIDUAL_SPACE).map(IndividualNumber::from_body)
    }

    pub fn corporate(&self, serial: u64) -> Result<CorporateNumber, IssueError> {
        self.permute::<12>(TWEAK_CORPORATE, serial, CORPORATE_SPACE).map(CorporateNumber::from_base)
    }

    /// An n-digit permuted value for other identifiers (e.g. resident record codes), under its
    /// own tweak so it is unrelated to the numbers above.
    pub fn code<const N: usize>(&self, tweak: &[u8], serial: u64) -> Result<[u8; N], IssueError> {
        let space = 10u64.checked_pow(N as u32).unwrap_or(u64::MAX);
        self.permute::<N>(tweak, serial, space)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn serials_give_distinct_valid_numbers() {
        let iss = NumberIssuer::new(&[7u8; 32]).unwrap();
        let mut seen = HashSet::new();
        for s in 0..5_000 {
            let n = iss.individual(s).unwrap();
            assert!(n.as_str().parse::<IndividualNumber>().is_ok());
            assert!(seen.insert(n), "serial {s} repeated a number");
        }
    }

    #[test]
    fn neighbours_are_unrelated_and_key_matters() {
        let a = NumberIssuer::new(&[1u8; 32]).unwrap();
        let b = NumberIssuer::new(&[2u8; 32]).unwrap();
        let (n0, n1) = (a.individual(0).unwrap(), a.individual(1).unwrap());
        // Consecutive serials differ in most body digits, not just the last.
        let diff = n0.as_str().bytes().zip(n1.as_str().bytes()).filter(|(x, y)| x != y).count();
        assert!(diff >= 5, "{n0} vs {n1}");
        assert_ne!(a.individual(0).unwrap(), b.individual(0).unwrap());
    }

    #[test]
    fn refuses_serials_past_the_space() {
        let iss = NumberIssuer::new(&[0u8; 32]).unwrap();
        assert_eq!(
            iss.individual(INDIVIDUAL_SPACE).unwrap_err(),
            IssueError::Exhausted { serial: INDIVIDUAL_SPACE, space: INDIVIDUAL_SPACE }
        );
        assert!(iss.corporate(42).is_ok());
    }
}
