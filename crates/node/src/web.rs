//! What every node's browser pages share: cookies, CSRF tokens, random session tokens, the
//! security headers (a strict CSP), and the Digital Agency design tokens
//! (`@digital-go-jp/design-tokens` 1.1.9, vendored in `static/tokens.css`).

use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
};

/// The design tokens as CSS custom properties.
pub const TOKENS_CSS: &str = include_str!("../static/tokens.css");

/// The shared look of every node's pages, built on the tokens (readable at every width,
/// visible focus, 44 px targets).
pub const SITE_CSS: &str = include_str!("../static/site.css");

/// The script of a document verification page (`form[data-verify]`): the upload sent as it
/// is, the answer shown with its status. Served by the issuer's pages and the portal.
pub const VERIFY_JS: &str = include_str!("../static/verify.js");

/// Form fields as pairs (repeated names kept in order).
pub type Fields = Vec<(String, String)>;

/// The first value of a form field.
pub fn field<'a>(f: &'a Fields, name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A random hex token of `N` bytes; empty when the OS has no entropy source (then no
/// session is safe, and callers refuse to open one).
pub fn random_hex<const N: usize>() -> String {
    let mut b = [0u8; N];
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        tracing::error!("no random source");
        return String::new();
    }
    hex::encode(b)
}

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// `Set-Cookie` for a session-like cookie: HttpOnly, Secure, SameSite=Lax, whole site.
pub fn set_cookie(name: &str, value: &str, max_age: i64) -> HeaderValue {
    let v = format!("{name}={value}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age={max_age}");
    HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("invalid=1"))
}

pub fn clear_cookie(name: &str) -> HeaderValue {
    set_cookie(name, "", 0)
}

/// Constant-time comparison of a submitted CSRF token with the session's.
pub fn csrf_ok(expected: &str, got: Option<&str>) -> bool {
    match got {
        Some(g) if !expected.is_empty() => {
            aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), g.as_bytes()).is_ok()
        }
        _ => false,
    }
}

/// A static asset compiled into the binary.
pub fn static_file(body: &'static str, kind: &'static str) -> Response {
    ([(header::CONTENT_TYPE, kind), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// Strict CSP (no inline script or style), no sniffing, no caching of personal pages.
/// The content security policy of every page. A form posts only to the node itself; a page
/// whose form ends in a redirect elsewhere (the OAuth consent, back to the service) sets its
/// own policy naming that one origin ([`csp_with_form_target`]).
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

/// [`CSP`] with one more origin a form may end at (`https://rp.example:8443`).
pub fn csp_with_form_target(origin: &str) -> Option<HeaderValue> {
    let clean = origin.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:/[]".contains(&b));
    if !clean {
        return None;
    }
    HeaderValue::from_str(&CSP.replace("form-action 'self'", &format!("form-action 'self' {origin}"))).ok()
}

/// Whether a form post comes from the node's own pages (login CSRF: a login form must not be
/// submittable from another site, which would sign the victim into the attacker's account).
/// Browsers say where a request comes from (`Sec-Fetch-Site`, else `Origin`); a request with
/// neither is not a browser's cross-site form and is let through.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let get = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    match (get("origin"), get("host")) {
        (Some(origin), Some(host)) => origin == format!("https://{host}"),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

pub async fn security_headers(mut r: Response) -> Response {
    let h: &mut HeaderMap = r.headers_mut();
    let set = |h: &mut HeaderMap, k: &'static str, v: &'static str| {
        h.entry(k).or_insert(HeaderValue::from_static(v));
    };
    set(h, "content-security-policy", CSP);
    // Every node is served over HTTPS only: browsers are told never to try plain HTTP.
    set(h, "strict-transport-security", "max-age=31536000");
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(h, "cache-control", "no-store");
    r
}

#[cfg(test)]
mod csp_tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn a_form_from_another_site_is_not_the_nodes_own() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])), "a sibling subdomain is not this node");
        assert!(same_origin(&headers(&[("origin", "https://localhost:7450"), ("host", "localhost:7450")])));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example"), ("host", "localhost:7450")])));
        assert!(!same_origin(&headers(&[("origin", "null"), ("host", "localhost:7450")])), "a sandboxed or file page");
        assert!(same_origin(&headers(&[("host", "localhost:7450")])), "curl and other tools send neither");
    }

    #[tokio::test]
    async fn pages_post_only_to_themselves_over_https() {
        let r = security_headers(Response::new(axum::body::Body::empty())).await;
        let csp = r.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("form-action 'self';"), "{csp}");
        assert!(!csp.contains("https:;") && !csp.contains("http:"), "no scheme-wide form targets: {csp}");
        assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    }

    #[test]
    fn a_form_target_is_one_origin_and_nothing_else() {
        let v = csp_with_form_target("https://rp.example:8443").unwrap();
        assert!(v.to_str().unwrap().contains("form-action 'self' https://rp.example:8443;"));
        assert!(csp_with_form_target("https://a.example; script-src *").is_none());
    }
}
