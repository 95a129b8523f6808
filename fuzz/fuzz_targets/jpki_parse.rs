#![no_main]
//! Outside input to JPKI: certificates, CSRs, CRLs, OCSP requests and login challenges. Never a
//! panic; a certificate that parses re-encodes to the bytes it came from.
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use myna_pki::{Authority, CardCert, RevocationList, TrustStore, csr, login::Challenge};

fn ca() -> &'static (Authority, TrustStore) {
    static CA: OnceLock<(Authority, TrustStore)> = OnceLock::new();
    CA.get_or_init(|| {
        let a = Authority::create(1_790_000_000).unwrap();
        let t = a.trust_store().unwrap();
        (a, t)
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = CardCert::parse(data) {
        assert_eq!(c.der, data);
    }
    let _ = csr::check(data);
    let (a, t) = ca();
    let _ = RevocationList::parse(data, t);
    let _ = a.ocsp_parse(data);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(c) = Challenge::parse(s) {
            assert_eq!(Challenge::parse(&c.text()), Ok(c));
        }
    }
});
