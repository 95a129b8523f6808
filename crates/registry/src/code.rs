use std::{fmt, str::FromStr};

/// Resident record code (住民票コード): J-LIS's internal 11-digit key behind the number.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidentCode([u8; 11]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a resident record code is 11 digits, got {0:?}")]
pub struct ResidentCodeError(String);

impl ResidentCode {
    pub fn from_digits(d: [u8; 11]) -> Option<Self> {
        d.iter().all(|&v| v < 10).then_some(Self(d))
    }

    /// The 11 digits read as one integer, for storage.
    pub fn value(&self) -> u64 {
        myna_number::digits_value(&self.0)
    }

    /// The code whose digits read as `v`, zero-padded; `None` above 11 digits.
    pub fn from_value(v: u64) -> Option<Self> {
        let mut d = [0u8; 11];
        let mut rest = v;
        for o in d.iter_mut().rev() {
            *o = (rest % 10) as u8;
            rest /= 10;
        }
        (rest == 0).then_some(Self(d))
    }

    pub fn as_str(&self) -> String {
        myna_number::digits_to_string(&self.0)
    }
}

impl FromStr for ResidentCode {
    type Err = ResidentCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        if b.len() != 11 || !b.iter().all(u8::is_ascii_digit) {
            return Err(ResidentCodeError(s.chars().take(20).collect()));
        }
        let mut d = [0u8; 11];
        for (o, c) in d.iter_mut().zip(b) {
            *o = c - b'0';
        }
        Ok(Self(d))
    }
}

impl fmt::Display for ResidentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl fmt::Debug for ResidentCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentCode({})", self.as_str())
    }
}

impl serde::Serialize for ResidentCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ResidentCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_round_trips_with_leading_zeros() {
        let c: ResidentCode = "00012345678".parse().unwrap();
        assert_eq!(c.value(), 12_345_678);
        assert_eq!(ResidentCode::from_value(c.value()), Some(c));
        assert_eq!(ResidentCode::from_value(100_000_000_000), None, "12 digits");
    }
}
