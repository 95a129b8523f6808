//! Browser sessions: a random token in an HttpOnly, Secure, SameSite=Lax cookie, a fresh one
//! at every login (so a token planted before login is worth nothing: no session fixation),
//! and a per-session CSRF token every form carries.

use std::{collections::HashMap, sync::RwLock};

use axum::http::{HeaderMap, HeaderValue, header};

use myna_node::now_secs;

pub const SESSION_COOKIE: &str = "myna_session";
pub const CLERK_COOKIE: &str = "myna_clerk";
pub const LOGIN_COOKIE: &str = "myna_login";
pub const LANG_COOKIE: &str = "lang";
/// Sessions end after 30 minutes, and never after the certificate they were opened with.
pub const SESSION_SECS: i64 = 30 * 60;
const MAX: usize = 1_000_000;

#[derive(Debug, Clone)]
pub struct Session {
    /// The portal's own linkage code for the resident.
    pub code: String,
    pub csrf: String,
    pub expires: i64,
    /// The demo card used to log in, if any (offered again for signing).
    pub card: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ClerkSession {
    pub municipality: String,
    pub login: String,
    pub csrf: String,
    pub expires: i64,
}

#[derive(Default)]
pub struct Sessions {
    residents: RwLock<HashMap<String, Session>>,
    clerks: RwLock<HashMap<String, ClerkSession>>,
}

pub fn random_hex<const N: usize>() -> String {
    let mut b = [0u8; N];
    // aws-lc's generator only fails if the OS has no entropy source; then no session is safe.
    if aws_lc_rs::rand::fill(&mut b).is_err() {
        tracing::error!("no random source");
        return String::new();
    }
    hex::encode(b)
}

fn insert<T: Clone>(map: &RwLock<HashMap<String, T>>, v: T, expires: impl Fn(&T) -> i64) -> Option<String> {
    let token = random_hex::<24>();
    if token.is_empty() {
        return None;
    }
    let mut m = map.write().ok()?;
    if m.len() >= MAX {
        let now = now_secs();
        m.retain(|_, s| expires(s) >= now);
    }
    m.insert(token.clone(), v);
    Some(token)
}

impl Sessions {
    /// Opens a session; returns its token.
    pub fn open(&self, s: Session) -> Option<String> {
        insert(&self.residents, s, |s| s.expires)
    }

    pub fn get(&self, token: &str) -> Option<Session> {
        let s = self.residents.read().ok()?.get(token).cloned()?;
        (s.expires >= now_secs()).then_some(s)
    }

    pub fn close(&self, token: &str) {
        if let Ok(mut m) = self.residents.write() {
            m.remove(token);
        }
    }

    pub fn open_clerk(&self, s: ClerkSession) -> Option<String> {
        insert(&self.clerks, s, |s| s.expires)
    }

    pub fn clerk(&self, token: &str) -> Option<ClerkSession> {
        let s = self.clerks.read().ok()?.get(token).cloned()?;
        (s.expires >= now_secs()).then_some(s)
    }

    pub fn close_clerk(&self, token: &str) {
        if let Ok(mut m) = self.clerks.write() {
            m.remove(token);
        }
    }
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
        Some(g) if !expected.is_empty() => aws_lc_rs::constant_time::verify_slices_are_equal(expected.as_bytes(), g.as_bytes()).is_ok(),
        _ => false,
    }
}

/// The page language: `?lang=` wins, then the cookie; Japanese by default.
pub fn english(headers: &HeaderMap, query_lang: Option<&str>) -> bool {
    match query_lang {
        Some(l) => l == "en",
        None => cookie(headers, LANG_COOKIE) == Some("en"),
    }
}
