//! Authorization codes (RFC 6749 §4.1): each single-use and short-lived. A code presented a
//! second time means it leaked (an attacker or a replaying proxy raced the client), so the
//! token it bought is revoked as well (§4.1.2, RFC 9700 §4.2.1). A resident's revocation of a
//! service drops the codes not yet exchanged.

use std::collections::HashMap;

pub(crate) struct Code {
    pub client: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub challenge: String,
    pub resident: String,
    /// The resident's login the consent was given in: the tokens bought with the code read
    /// only while it stands (the hub checks it).
    pub proof: myna_link::LoginProof,
    pub nonce: Option<String>,
    pub expires: i64,
}

/// What presenting a code finds.
pub(crate) enum Taken {
    /// Issued, not yet used, not expired: it is spent now.
    Fresh(Code),
    /// Used before: the access token it bought, to revoke.
    Replayed(Option<String>),
    /// Never issued, expired, or dropped by a revocation.
    Unknown,
}

#[derive(Default)]
pub(crate) struct Codes {
    open: HashMap<String, Code>,
    /// Spent codes until they would have expired, with the token each bought.
    spent: HashMap<String, (Option<String>, i64)>,
}

impl Codes {
    pub fn issue(&mut self, code: String, c: Code, now: i64) {
        self.open.retain(|_, x| x.expires >= now);
        self.spent.retain(|_, (_, until)| *until >= now);
        self.open.insert(code, c);
    }

    /// Presents `code`: a fresh one is spent whatever the caller does next.
    pub fn take(&mut self, code: &str, now: i64) -> Taken {
        if let Some((token, _)) = self.spent.get(code) {
            return Taken::Replayed(token.clone());
        }
        match self.open.remove(code) {
            Some(c) if c.expires >= now => {
                self.spent.insert(code.to_string(), (None, c.expires));
                Taken::Fresh(c)
            }
            _ => Taken::Unknown,
        }
    }

    /// The access token a spent code bought.
    pub fn bought(&mut self, code: &str, token: &str) {
        if let Some((t, _)) = self.spent.get_mut(code) {
            *t = Some(token.to_string());
        }
    }

    /// Drops the resident's codes for `client` not yet exchanged.
    pub fn revoke(&mut self, resident: &str, client: &str) {
        self.open.retain(|_, c| !(c.resident == resident && c.client == client));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(resident: &str, client: &str, expires: i64) -> Code {
        Code {
            client: client.into(),
            redirect_uri: "https://rp.example/cb".into(),
            scopes: vec!["local_tax".into()],
            challenge: String::new(),
            resident: resident.into(),
            proof: myna_link::LoginProof {
                challenge: String::new(),
                certificate: String::new(),
                signature: String::new(),
            },
            nonce: None,
            expires,
        }
    }

    #[test]
    fn a_code_works_once_and_a_second_use_names_the_token_to_revoke() {
        let mut c = Codes::default();
        c.issue("abc".into(), code("r1", "app", 160), 100);
        assert!(matches!(c.take("abc", 110), Taken::Fresh(_)));
        c.bought("abc", "tok-1");
        assert!(matches!(c.take("abc", 120), Taken::Replayed(Some(t)) if t == "tok-1"));
        assert!(matches!(c.take("nope", 120), Taken::Unknown));
    }

    #[test]
    fn an_expired_code_or_one_dropped_by_revocation_buys_nothing() {
        let mut c = Codes::default();
        c.issue("old".into(), code("r1", "app", 160), 100);
        assert!(matches!(c.take("old", 161), Taken::Unknown));
        c.issue("a".into(), code("r1", "app", 260), 200);
        c.issue("b".into(), code("r1", "other", 260), 200);
        c.issue("c".into(), code("r2", "app", 260), 200);
        c.revoke("r1", "app");
        assert!(matches!(c.take("a", 210), Taken::Unknown), "the resident withdrew the service");
        assert!(matches!(c.take("b", 210), Taken::Fresh(_)), "another service keeps its code");
        assert!(matches!(c.take("c", 210), Taken::Fresh(_)), "another resident keeps theirs");
    }
}
