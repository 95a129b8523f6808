//! Japan's public numbers: the individual number (個人番号, 12 digits), the corporate number
//! (法人番号, 13 digits) and the local government code (全国地方公共団体コード, 6 digits).
//!
//! Parsing accepts what people type (spaces, hyphens, full-width digits) and rejects with a
//! specific reason. A parsed value is always valid. Issuance of individual numbers is a keyed
//! permutation of a counter, so numbers are unique without a lookup and a neighbour's number
//! says nothing about yours. No I/O.

mod any;
mod corporate;
mod digits;
mod error;
mod individual;
mod issue;
mod lgcode;

pub use any::AnyNumber;
pub use corporate::CorporateNumber;
/// Digit values (0–9) to an ASCII string and to an integer, for other fixed-width codes.
pub use digits::{to_string as digits_to_string, value as digits_value};
pub use error::{NumberError, NumberKind};
pub use individual::IndividualNumber;
pub use issue::{IssueError, NumberIssuer};
pub use lgcode::LocalGovCode;
