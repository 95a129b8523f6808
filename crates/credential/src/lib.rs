//! Verifiable credentials of national qualifications (国家資格; issue 22), without I/O: the 32
//! qualifications and who administers each (`qualification.rs`), SD-JWT VC — RFC 9901
//! selective disclosure with key binding, the IETF SD-JWT VC profile — issued, presented and
//! verified (`sdjwt.rs`, with the keys as JWKs in `jwk.rs`), and the IETF Token Status List
//! that says whether a registration still stands (`status.rs`).
//!
//! Why by hand: the Rust SD-JWT crates either bring a second `rand` major, `anyhow` and async
//! signer traits (sd-jwt-payload), or are a few months old with one maintainer (sd_jwt); the
//! format itself is a few hashing and splitting rules over JWS, and the cryptography is
//! aws-lc's, as everywhere else here. The IETF's reference implementation (Python `sd-jwt` on
//! PyPI) verifies what this issues and makes presentations this verifies, in a test.

mod b64;
pub mod jwk;
pub mod qualification;
pub mod sdjwt;
pub mod status;

pub use jwk::{Jwk, JwkError};
pub use qualification::{Administrator, Qualification};
pub use sdjwt::{Expect, IssuerKey, Presented, SdJwtError, Verified};
pub use status::{Status, StatusList, StatusListError};
