use std::fmt;

/// Which kind of number a parse was about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    Individual,
    Corporate,
    LocalGov,
}

impl NumberKind {
    /// How many digits a number of this kind has, check digit included.
    pub const fn digits(self) -> usize {
        match self {
            NumberKind::Individual => 12,
            NumberKind::Corporate => 13,
            NumberKind::LocalGov => 6,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            NumberKind::Individual => "individual number (個人番号)",
            NumberKind::Corporate => "corporate number (法人番号)",
            NumberKind::LocalGov => "local government code (地方公共団体コード)",
        }
    }
}

impl fmt::Display for NumberKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a number was rejected. Each variant names what to fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("no digits given")]
    Empty,
    #[error("character {position} is {found:?}, not a digit")]
    NotADigit { position: usize, found: char },
    #[error("a {kind} has {} digits, got {found}", kind.digits())]
    WrongLength { kind: NumberKind, found: usize },
    #[error("got {found} digits: 12 is an individual number, 13 a corporate number, 6 a local government code")]
    UnknownLength { found: usize },
    #[error("check digit of this {kind} should be {expected}, but is {found}")]
    CheckDigit { kind: NumberKind, expected: u8, found: u8 },
    #[error("a corporate number's check digit is 1 to 9, never 0")]
    CorporateCheckZero,
}
