//! A small JPKI for tests: an authority, and a way to issue a card into a software card.
#![allow(dead_code)]

use myna_pki::softcard::{KdfParams, SoftCard};
use myna_pki::{Authority, CertKind, Holder, IssueRequest, Secret, Serial, Sex, TrustStore, csr};
use time::macros::date;

pub const NOW: i64 = 1_790_000_000; // 2026-09-21
pub const CRL_URL: &str = "https://jlis.test/crl/sign.crl";
pub const OCSP_URL: &str = "https://jlis.test/ocsp";

pub fn holder() -> Holder {
    Holder::new("山田 太郎", date!(1990 - 06 - 15), Sex::Male, "東京都千代田区霞が関二丁目1番2号").unwrap()
}

pub fn trust(a: &Authority) -> TrustStore {
    a.trust_store().unwrap()
}

pub fn pin() -> Secret {
    Secret::new(CertKind::UserAuth, "1234").unwrap()
}

pub fn password() -> Secret {
    Secret::new(CertKind::Signing, "ABC123").unwrap()
}

pub fn issue_one(a: &Authority, kind: CertKind, serial: u64, csr_der: &[u8], not_after: i64) -> Vec<u8> {
    let checked = csr::check(csr_der).unwrap();
    let h = holder();
    a.issue(&IssueRequest {
        kind,
        serial: Serial::new(serial).unwrap(),
        subject_id: &format!("CARD{serial:08X}"),
        csr: &checked,
        holder: (kind == CertKind::Signing).then_some(&h),
        not_before: NOW - 60,
        not_after,
        crl_url: CRL_URL,
        ocsp_url: OCSP_URL,
    })
    .unwrap()
}

pub fn pem(der: &[u8]) -> String {
    myna_pki::pem("CERTIFICATE", der)
}

/// A card with both certificates issued (serials `base` and `base + 1`), its reset key.
pub fn card(a: &Authority, base: u64) -> (SoftCard<Vec<u8>>, [u8; 32]) {
    let (mut card, new) = SoftCard::create(&password(), &pin(), KdfParams::LIGHT, Vec::new()).unwrap();
    let until = NOW + 5 * 365 * 86400;
    let s = issue_one(a, CertKind::Signing, base, &new.signing_csr, until);
    let u = issue_one(a, CertKind::UserAuth, base + 1, &new.user_auth_csr, until);
    card.install("123456789012", date!(2035 - 06 - 15), &pem(&s), &pem(&u)).unwrap();
    (card, new.reset_key)
}
