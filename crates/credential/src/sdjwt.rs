//! SD-JWT VC (RFC 9901 selective disclosure; the IETF SD-JWT VC profile, `typ` `dc+sd-jwt`):
//! the issuer signs a JWT whose selectively disclosable claims are only digests, and hands the
//! holder the disclosures beside it (`<jwt>~<disclosure>~…~`); the holder presents the JWT
//! with the disclosures it chooses and a key-binding JWT (`kb+jwt`) signed with the key the
//! credential names (`cnf`), for one verifier (`aud`) and one request (`nonce`), over the
//! presentation (`sd_hash`). Only top-level claims are disclosable, which is all a
//! qualification needs.

use std::collections::HashSet;

use aws_lc_rs::{
    rand::{SecureRandom, SystemRandom},
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _},
};
use serde_json::{Map, Value, json};

use crate::{Jwk, b64, jwk::JwkError};

/// The credential's JOSE type (SD-JWT VC); the previous drafts' `vc+sd-jwt` is read too.
pub const TYP: &str = "dc+sd-jwt";
const KB_TYP: &str = "kb+jwt";
/// Decoy digests added to every credential, so the number of claims does not show.
const DECOYS: usize = 2;
/// How far a key-binding JWT's time may be ahead of the verifier's clock.
const SKEW: i64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdJwtError {
    #[error("not an SD-JWT: {0}")]
    Malformed(String),
    #[error("the credential's header: {0}")]
    Header(String),
    #[error("the issuer {0:?} is not one this verifier trusts")]
    UnknownIssuer(String),
    #[error("the issuer's signature does not verify: the credential was altered, or not issued by its issuer")]
    IssuerSignature,
    #[error("the credential expired")]
    Expired,
    #[error("a disclosure is not part of this credential (altered, or taken from another credential)")]
    ForeignDisclosure,
    #[error("a disclosure: {0}")]
    Disclosure(String),
    #[error("the presentation is not bound to the holder's key (no key-binding JWT)")]
    NoKeyBinding,
    #[error("the key-binding JWT: {0}")]
    KeyBinding(String),
    #[error("the presentation was made for {found:?}, not for this verifier ({expected:?})")]
    Audience { expected: String, found: String },
    #[error("the presentation answers another request (its nonce is not this verifier's)")]
    Nonce,
    #[error("the presentation is too old, or dated in the future: make a new one")]
    Stale,
    #[error("the key-binding JWT signs another presentation (disclosures added or removed)")]
    SdHash,
    #[error("the claim {0:?} cannot be disclosed: the credential does not carry it")]
    NotDisclosable(String),
    #[error("the issuer's key cannot sign: {0}")]
    Key(String),
}

impl From<JwkError> for SdJwtError {
    fn from(e: JwkError) -> Self {
        SdJwtError::KeyBinding(e.to_string())
    }
}

/// The issuer's P-256 key.
pub struct IssuerKey {
    key: EcdsaKeyPair,
    kid: String,
}

/// A compact JWS: `header.payload.signature`, with what it says parsed.
pub(crate) struct Jws<'a> {
    pub(crate) input: &'a str,
    pub(crate) header: Map<String, Value>,
    pub(crate) payload: Map<String, Value>,
    pub(crate) sig: Vec<u8>,
}

fn object(text: &[u8], what: &str) -> Result<Map<String, Value>, SdJwtError> {
    match serde_json::from_slice(text) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(SdJwtError::Malformed(format!("the {what} is not a JSON object"))),
    }
}

pub(crate) fn parse_jws(text: &str) -> Result<Jws<'_>, SdJwtError> {
    let mut parts = text.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(SdJwtError::Malformed("a JWS has three parts".into()));
    };
    let decode = |part: &str, what: &str| {
        b64::dec(part).ok_or_else(|| SdJwtError::Malformed(format!("{what} is not base64url")))
    };
    Ok(Jws {
        input: &text[..h.len() + 1 + p.len()],
        header: object(&decode(h, "the header")?, "header")?,
        payload: object(&decode(p, "the payload")?, "payload")?,
        sig: decode(s, "the signature")?,
    })
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

/// A disclosure's `[salt, name, value]`.
fn disclosure_of(d: &str) -> Result<(String, Value), SdJwtError> {
    let bytes = b64::dec(d).ok_or_else(|| SdJwtError::Disclosure("not base64url".into()))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(a)) if a.len() == 3 => match (&a[0], &a[1]) {
            (Value::String(_), Value::String(name)) => Ok((name.clone(), a[2].clone())),
            _ => Err(SdJwtError::Disclosure("salt and name must be strings".into())),
        },
        Ok(Value::Array(a)) if a.len() == 2 => {
            Err(SdJwtError::Disclosure("an array element's disclosure; only claims are disclosable here".into()))
        }
        _ => Err(SdJwtError::Disclosure("not a [salt, name, value] array".into())),
    }
}

impl IssuerKey {
    /// A new key, PKCS#8.
    pub fn generate() -> Result<Vec<u8>, SdJwtError> {
        EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
            .map(|d| d.as_ref().to_vec())
            .map_err(|e| SdJwtError::Key(e.to_string()))
    }

    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, SdJwtError> {
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
            .map_err(|e| SdJwtError::Key(e.to_string()))?;
        Ok(Self { key, kid: kid.to_string() })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key, as verifiers are given it.
    pub fn jwk(&self) -> Result<Jwk, SdJwtError> {
        Jwk::p256(self.key.public_key().as_ref()).map_err(|e| SdJwtError::Key(e.to_string()))
    }

    /// A compact JWS of `payload` under `header` (alg and kid added).
    pub fn sign(&self, mut header: Map<String, Value>, payload: &Value) -> Result<String, SdJwtError> {
        header.insert("alg".into(), "ES256".into());
        header.insert("kid".into(), self.kid.clone().into());
        let input = format!(
            "{}.{}",
            b64::enc(&Value::Object(header).to_string().into_bytes()),
            b64::enc(payload.to_string().as_bytes())
        );
        let sig = self.key.sign(&SystemRandom::new(), input.as_bytes()).map_err(|e| SdJwtError::Key(e.to_string()))?;
        Ok(format!("{input}.{}", b64::enc(sig.as_ref())))
    }

    /// An SD-JWT VC of `claims` whose `disclosable` ones are each a disclosure, bound to the
    /// holder's key: `<jwt>~<disclosure>~…~`.
    pub fn issue(&self, claims: &Map<String, Value>, disclosable: &[&str], holder: &Jwk) -> Result<String, SdJwtError> {
        let rng = SystemRandom::new();
        let salt = || {
            let mut s = [0u8; 16];
            rng.fill(&mut s).map(|()| b64::enc(&s)).map_err(|_| SdJwtError::Key("no random source".into()))
        };
        let mut payload = Map::new();
        let (mut digests, mut disclosures) = (Vec::new(), Vec::new());
        for (name, value) in claims {
            if disclosable.contains(&name.as_str()) {
                let d = b64::enc(json!([salt()?, name, value]).to_string().as_bytes());
                digests.push(b64::sha256(&d));
                disclosures.push(d);
            } else {
                payload.insert(name.clone(), value.clone());
            }
        }
        for _ in 0..DECOYS {
            digests.push(b64::sha256(&salt()?));
        }
        // Sorted, so the order says nothing of which claim is which.
        digests.sort();
        payload.insert("_sd".into(), digests.into());
        payload.insert("_sd_alg".into(), "sha-256".into());
        payload.insert("cnf".into(), json!({ "jwk": holder }));
        let mut header = Map::new();
        header.insert("typ".into(), TYP.into());
        let jwt = self.sign(header, &Value::Object(payload))?;
        let mut out = jwt;
        for d in &disclosures {
            out.push('~');
            out.push_str(d);
        }
        out.push('~');
        Ok(out)
    }
}

/// The holder's key-binding: for whom, for which request, when, and the signer (the
/// wallet's key, or the card).
pub struct KeyBinding<'a> {
    pub aud: &'a str,
    pub nonce: &'a str,
    pub iat: i64,
    /// `ES256` or `RS256`, as the credential's `cnf` key signs.
    pub alg: &'a str,
    pub sign: Signer<'a>,
}

/// Signs a key-binding JWT's input: the signature's bytes, or why not.
pub type Signer<'a> = &'a dyn Fn(&[u8]) -> Result<Vec<u8>, String>;

/// What a holder presents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presented {
    pub text: String,
    /// The names of the claims disclosed.
    pub disclosed: Vec<String>,
}

/// The names of the claims a credential can disclose (what the holder chooses among).
pub fn disclosable(issued: &str) -> Result<Vec<(String, Value)>, SdJwtError> {
    let mut parts = issued.split('~');
    parts.next().ok_or_else(|| SdJwtError::Malformed("empty".into()))?;
    parts.filter(|d| !d.is_empty() && !d.contains('.')).map(disclosure_of).collect()
}

/// The holder's presentation of `issued` disclosing `disclose` (each must be a claim it
/// carries), bound to the holder's key when `kb` is given.
pub fn present(issued: &str, disclose: &[&str], kb: Option<KeyBinding<'_>>) -> Result<Presented, SdJwtError> {
    let mut parts = issued.split('~');
    let jwt = parts.next().filter(|j| j.contains('.')).ok_or_else(|| SdJwtError::Malformed("no issuer JWT".into()))?;
    let mut out = format!("{jwt}~");
    let mut disclosed = Vec::new();
    for d in parts.filter(|d| !d.is_empty() && !d.contains('.')) {
        let (name, _) = disclosure_of(d)?;
        if disclose.contains(&name.as_str()) {
            out.push_str(d);
            out.push('~');
            disclosed.push(name);
        }
    }
    if let Some(missing) = disclose.iter().find(|n| !disclosed.iter().any(|d| d == *n)) {
        return Err(SdJwtError::NotDisclosable(missing.to_string()));
    }
    if let Some(kb) = kb {
        let header = json!({"alg": kb.alg, "typ": KB_TYP});
        let payload = json!({"iat": kb.iat, "aud": kb.aud, "nonce": kb.nonce, "sd_hash": b64::sha256(&out)});
        let input = format!("{}.{}", b64::enc(header.to_string().as_bytes()), b64::enc(payload.to_string().as_bytes()));
        let sig = (kb.sign)(input.as_bytes()).map_err(SdJwtError::KeyBinding)?;
        out.push_str(&format!("{input}.{}", b64::enc(&sig)));
    }
    Ok(Presented { text: out, disclosed })
}

/// What the verifier requires of a presentation.
pub struct Expect<'a> {
    /// This verifier's identifier, which the key binding must name.
    pub aud: &'a str,
    /// The nonce this verifier gave for this request.
    pub nonce: &'a str,
    pub now: i64,
    /// How old a key binding may be, in seconds.
    pub max_age: i64,
}

/// A verified presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub issuer: String,
    /// The claims the issuer signed in the clear and those disclosed, nothing else.
    pub claims: Map<String, Value>,
    /// The names of the disclosed ones.
    pub disclosed: Vec<String>,
    /// Where the registration's status is published, and its index there.
    pub status: Option<(String, u64)>,
}

/// Verifies a presentation: the issuer's signature with the key `issuer_key` gives for its
/// `iss` and `kid`, each disclosure in the credential, and the key binding (required) for
/// this verifier and request.
pub fn verify(
    presentation: &str,
    issuer_key: &dyn Fn(&str, Option<&str>) -> Option<Jwk>,
    expect: &Expect<'_>,
) -> Result<Verified, SdJwtError> {
    let parts: Vec<&str> = presentation.split('~').collect();
    let (Some((kb, rest)), true) = (parts.split_last(), parts.len() >= 2) else {
        return Err(SdJwtError::Malformed("expected <jwt>~<disclosures>~<kb-jwt>".into()));
    };
    let jws = parse_jws(rest[0])?;
    let typ = str_of(&jws.header, "typ").unwrap_or_default();
    if typ != TYP && typ != "vc+sd-jwt" {
        return Err(SdJwtError::Header(format!("typ {typ:?} is not {TYP}")));
    }
    let alg = str_of(&jws.header, "alg").unwrap_or_default();
    let iss = str_of(&jws.payload, "iss").ok_or_else(|| SdJwtError::Malformed("no iss".into()))?;
    let key = issuer_key(iss, str_of(&jws.header, "kid")).ok_or_else(|| SdJwtError::UnknownIssuer(iss.to_string()))?;
    key.verify(alg, jws.input.as_bytes(), &jws.sig).map_err(|_| SdJwtError::IssuerSignature)?;
    if jws.payload.get("exp").and_then(Value::as_i64).is_some_and(|exp| exp <= expect.now) {
        return Err(SdJwtError::Expired);
    }
    if str_of(&jws.payload, "_sd_alg").is_some_and(|a| a != "sha-256") {
        return Err(SdJwtError::Header("_sd_alg is not sha-256".into()));
    }
    let digests: HashSet<&str> = jws
        .payload
        .get("_sd")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();

    let mut claims = jws.payload.clone();
    for k in ["_sd", "_sd_alg", "cnf"] {
        claims.remove(k);
    }
    let mut seen = HashSet::new();
    let mut disclosed = Vec::new();
    for d in &rest[1..] {
        let digest = b64::sha256(d);
        if !digests.contains(digest.as_str()) {
            return Err(SdJwtError::ForeignDisclosure);
        }
        if !seen.insert(digest) {
            return Err(SdJwtError::Disclosure("the same disclosure twice".into()));
        }
        let (name, value) = disclosure_of(d)?;
        if name == "_sd" || name == "..." || claims.contains_key(&name) {
            return Err(SdJwtError::Disclosure(format!("{name:?} would overwrite a claim")));
        }
        claims.insert(name.clone(), value);
        disclosed.push(name);
    }

    // The key binding: the holder's key from `cnf`, this verifier, this request, this
    // presentation.
    if kb.is_empty() {
        return Err(SdJwtError::NoKeyBinding);
    }
    let holder: Jwk = jws
        .payload
        .get("cnf")
        .and_then(|c| c.get("jwk"))
        .and_then(|j| serde_json::from_value(j.clone()).ok())
        .ok_or_else(|| SdJwtError::KeyBinding("the credential names no holder key (cnf.jwk)".into()))?;
    let kbj = parse_jws(kb)?;
    if str_of(&kbj.header, "typ") != Some(KB_TYP) {
        return Err(SdJwtError::KeyBinding(format!("typ is not {KB_TYP}")));
    }
    holder.verify(str_of(&kbj.header, "alg").unwrap_or_default(), kbj.input.as_bytes(), &kbj.sig)?;
    let aud = str_of(&kbj.payload, "aud").unwrap_or_default();
    if aud != expect.aud {
        return Err(SdJwtError::Audience { expected: expect.aud.to_string(), found: aud.to_string() });
    }
    if str_of(&kbj.payload, "nonce") != Some(expect.nonce) {
        return Err(SdJwtError::Nonce);
    }
    let iat = kbj.payload.get("iat").and_then(Value::as_i64).unwrap_or(i64::MIN);
    if iat > expect.now + SKEW || iat < expect.now - expect.max_age {
        return Err(SdJwtError::Stale);
    }
    let signed_part = &presentation[..presentation.len() - kb.len()];
    if str_of(&kbj.payload, "sd_hash") != Some(b64::sha256(signed_part).as_str()) {
        return Err(SdJwtError::SdHash);
    }
    let status = jws
        .payload
        .get("status")
        .and_then(|s| s.get("status_list"))
        .and_then(|l| Some((l.get("uri")?.as_str()?.to_string(), l.get("idx")?.as_u64()?)));
    Ok(Verified { issuer: iss.to_string(), claims, disclosed, status })
}
