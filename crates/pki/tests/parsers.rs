//! Property tests: whatever bytes arrive, the parsers answer with an error, never a panic, and a
//! damaged certificate is never accepted as the original.

use myna_pki::login::Challenge;
use myna_pki::{Authority, CardCert, CertKind, RevocationList, RsaKey, TrustStore, csr};
use proptest::prelude::*;
use std::sync::OnceLock;

struct F {
    a: Authority,
    t: TrustStore,
    cert: Vec<u8>,
    csr: Vec<u8>,
    crl: Vec<u8>,
}

fn f() -> &'static F {
    static X: OnceLock<F> = OnceLock::new();
    X.get_or_init(|| {
        let a = Authority::create(1_790_000_000).unwrap();
        let t = a.trust_store().unwrap();
        let key = RsaKey::generate().unwrap();
        let csr = csr::build(&key).unwrap();
        let checked = csr::check(&csr).unwrap();
        let cert = a
            .issue(&myna_pki::IssueRequest {
                kind: CertKind::UserAuth,
                serial: myna_pki::Serial::new(77).unwrap(),
                subject_id: "PROP",
                csr: &checked,
                holder: None,
                not_before: 1_790_000_000,
                not_after: 1_800_000_000,
                crl_url: "https://x/crl",
                ocsp_url: "https://x/ocsp",
            })
            .unwrap();
        let crl = a.crl(CertKind::UserAuth, &[], 1, 1_790_000_000, 1_790_086_400).unwrap();
        F { a, t, cert, csr, crl }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let f = f();
        let _ = CardCert::parse(&data);
        let _ = csr::check(&data);
        let _ = RevocationList::parse(&data, &f.t);
        let _ = f.a.ocsp_parse(&data);
        let _ = Challenge::parse(&String::from_utf8_lossy(&data));
    }

    #[test]
    fn a_flipped_byte_is_refused_or_caught_by_the_signature(i in 0usize..2000, bit in 0u8..8) {
        let f = f();
        let mut cert = f.cert.clone();
        let i = i % cert.len();
        cert[i] ^= 1 << bit;
        if let Ok(c) = CardCert::parse(&cert) {
            // It may still parse (a changed name or date), but it never verifies.
            prop_assert!(f.t.check_issued(&c).is_err());
        }
        let mut req = f.csr.clone();
        let j = i % req.len();
        req[j] ^= 1 << bit;
        prop_assert!(csr::check(&req).is_err());
        let mut crl = f.crl.clone();
        let k = i % crl.len();
        crl[k] ^= 1 << bit;
        prop_assert!(RevocationList::parse(&crl, &f.t).is_err());
    }
}
