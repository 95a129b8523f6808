//! The parameters of the consent API that come from a third party's site or server, checked
//! without the database: where a client may send the resident back, a client's Basic
//! credentials, the PKCE proof, and the scope asked for. Public for the fuzz target.

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

/// A redirect URI a client may register: https, or http to this machine for development; no
/// fragment (the code would be lost in it).
pub fn redirect_ok(u: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(u) else { return false };
    url.fragment().is_none()
        && match url.scheme() {
            "https" => true,
            "http" => matches!(url.host_str(), Some("localhost" | "127.0.0.1")),
            _ => false,
        }
}

/// `client_secret_basic`: the client id and secret in an `Authorization: Basic …` value.
pub fn basic_credentials(authorization: &str) -> Option<(String, String)> {
    let b = authorization.strip_prefix("Basic ")?;
    let s = String::from_utf8(Base64::decode_vec(b).ok()?).ok()?;
    s.split_once(':').map(|(a, b)| (a.to_string(), b.to_string()))
}

/// Whether `verifier` (43–128 characters) is the one whose S256 hash is `challenge`.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && Base64UrlUnpadded::encode_string(&Sha256::digest(verifier.as_bytes())) == challenge
}

/// A code challenge the portal accepts: S256 only, 43 characters (a SHA-256 in base64url).
pub fn challenge_ok(challenge: Option<&str>, method: Option<&str>) -> bool {
    method == Some("S256") && challenge.is_some_and(|c| c.len() == 43)
}

/// The scope asked for: whether it includes `openid`, and the data scopes besides it.
pub fn scopes(scope: &str) -> (bool, Vec<String>) {
    let asked: Vec<&str> = scope.split_whitespace().collect();
    (asked.contains(&"openid"), asked.into_iter().filter(|s| *s != "openid").map(str::to_string).collect())
}
