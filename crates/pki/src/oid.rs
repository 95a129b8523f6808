//! Object identifiers of the JPKI profiles (REFERENCE.md §3) and the few RFC 5280 / RFC 6960
//! ones the profiles use.

use der::asn1::ObjectIdentifier as Oid;

/// subjectAltName otherName: the holder's name (signing certificate only).
pub const JPKI_NAME: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.1");
/// Substitute characters for the name (代替文字), when the name holds characters outside the set.
pub const JPKI_NAME_SUBSTITUTE: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.2");
/// Sex: "1" male, "2" female, "3" not stated.
pub const JPKI_SEX: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.3");
/// Birth date, `YYYYMMDD`.
pub const JPKI_BIRTH: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.4");
/// Address (住所).
pub const JPKI_ADDRESS: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.5");
/// Substitute characters for the address.
pub const JPKI_ADDRESS_SUBSTITUTE: Oid = Oid::new_unwrap("1.2.392.200149.8.5.5.6");

/// Certificate policy of the signing certificate (署名用電子証明書).
pub const POLICY_SIGNING: Oid = Oid::new_unwrap("1.2.392.200149.8.5.1.1.20");
/// Certificate policy of the user-authentication certificate (利用者証明用電子証明書).
pub const POLICY_USER_AUTH: Oid = Oid::new_unwrap("1.2.392.200149.8.5.1.3.30");

/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// rsaEncryption (the key algorithm in a SubjectPublicKeyInfo).
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// SHA-256 (hash algorithm of OCSP CertIDs).
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
/// SHA-1, which most OCSP clients (openssl included) still use in CertIDs.
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// id-ad-ocsp, in the authorityInfoAccess extension.
pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
/// anyPolicy (RFC 5280 §4.2.1.4).
pub const ANY_POLICY: Oid = Oid::new_unwrap("2.5.29.32.0");
