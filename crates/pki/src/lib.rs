//! JPKI (公的個人認証): the certificate profiles, the authority, CSRs, revocation (CRL and
//! OCSP), verification, card tokens and the login protocol. Plain types and functions: no
//! clock (callers pass `now` as Unix seconds), no files, no network.

pub mod apdu;
mod authority;
mod cert;
mod crl;
pub mod csr;
mod encoding;
mod error;
mod ext;
mod holder;
pub mod jpki_ap;
pub mod jpki_host;
mod key;
mod kind;
pub mod login;
pub mod ocsp;
pub mod oid;
pub mod reader;
mod secret;
mod serial;
pub mod softcard;
mod status;
pub mod time;
pub mod token;
mod verify;

pub use authority::{Authority, AuthorityFiles, Ca, IssueRequest, ROOT_NAME};
pub use cert::CardCert;
pub use crl::{Revocation, RevocationList};
pub use encoding::{from_pem, pem, sha256};
pub use error::PkiError;
pub use holder::{Holder, Sex, card_until, certificate_until, nth_birthday_after};
pub use key::{PublicKey, RsaKey, SIGNATURE_LEN};
pub use kind::CertKind;
pub use secret::Secret;
pub use serial::Serial;
pub use status::{Reason, Status};
pub use verify::{TrustStore, TrustedIssuer, verify_signature};
