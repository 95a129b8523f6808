#![no_main]
//! What a third party's site or server sends the portal's consent API: form and query
//! parameters, a Basic authorization, a redirect URI, the PKCE proof, the scope. Never a
//! panic; a redirect URI accepted is https (or http to this machine) without a fragment; only
//! the verifier whose S256 hash is the challenge matches it.
use base64ct::{Base64UrlUnpadded, Encoding};
use libfuzzer_sys::fuzz_target;
use myna_portal::oauth_params::{basic_credentials, challenge_ok, pkce_matches, redirect_ok, scopes};
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let _ = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data);
    let Ok(s) = std::str::from_utf8(data) else { return };
    if redirect_ok(s) {
        let url = url::Url::parse(s).unwrap();
        assert!(url.fragment().is_none());
        assert!(url.scheme() == "https" || matches!(url.host_str(), Some("localhost" | "127.0.0.1")), "{s}");
    }
    let _ = basic_credentials(s);
    let challenge = Base64UrlUnpadded::encode_string(&Sha256::digest(s.as_bytes()));
    assert_eq!(pkce_matches(s, &challenge), (43..=128).contains(&s.len()));
    assert!(challenge_ok(Some(&challenge), Some("S256")));
    if s.len() != 43 {
        assert!(!challenge_ok(Some(s), Some("S256")));
    }
    let (openid, data) = scopes(s);
    assert!(!data.iter().any(|d| d == "openid" || d.contains(char::is_whitespace)));
    assert_eq!(openid, s.split_whitespace().any(|w| w == "openid"));
});
