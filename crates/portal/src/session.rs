//! Browser sessions: a random token in an HttpOnly, Secure, SameSite=Lax cookie, a fresh one
//! at every login (so a token planted before login is worth nothing: no session fixation),
//! and a per-session CSRF token every form carries.

use std::{collections::HashMap, sync::RwLock};

use axum::http::HeaderMap;

use myna_node::now_secs;
pub use myna_node::web::{clear_cookie, cookie, csrf_ok, random_hex, set_cookie};

pub const SESSION_COOKIE: &str = "__Host-myna_session";
pub const CLERK_COOKIE: &str = "__Host-myna_clerk";
pub const LOGIN_COOKIE: &str = "__Host-myna_login";
pub const LANG_COOKIE: &str = "__Host-lang";
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
    /// The serial of the user-authentication certificate the resident logged in with.
    pub serial: String,
    /// What the card signed at login: sent to the hub with every self-information query.
    pub proof: myna_link::LoginProof,
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

/// The page language: `?lang=` wins, then the cookie; Japanese by default.
pub fn english(headers: &HeaderMap, query_lang: Option<&str>) -> bool {
    match query_lang {
        Some(l) => l == "en",
        None => cookie(headers, LANG_COOKIE) == Some("en"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_cookie(c: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::COOKIE, c.parse().unwrap());
        h
    }

    #[test]
    fn japanese_unless_asked_for_english() {
        assert!(!english(&HeaderMap::new(), None), "Japanese by default");
        assert!(english(&with_cookie(&format!("{LANG_COOKIE}=en")), None));
        assert!(!english(&with_cookie(&format!("{LANG_COOKIE}=en")), Some("ja")), "?lang= wins over the cookie");
        assert!(english(&HeaderMap::new(), Some("en")));
    }
}
