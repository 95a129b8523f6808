//! Logging in with the user-authentication certificate (challenge–response).
//!
//! The service issues a one-time challenge naming itself; the card signs it after the PIN; the
//! service checks the certificate (chain, policy, validity, revocation), the signature, that the
//! challenge is its own, unexpired and unused, and opens a session under a pseudonym derived
//! from the certificate with the service's own key — never the individual number, and different
//! at every service.

use std::collections::HashMap;

use aws_lc_rs::hmac;
use serde::{Deserialize, Serialize};

use crate::{CardCert, CertKind, PkiError, Status, TrustStore, verify};

const PREFIX: &str = "myna-login/1";

/// A challenge as the card signs it and as the service shows it (text and QR code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub service: String,
    pub nonce: [u8; 16],
    pub expires: i64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginError {
    #[error("the challenge is not in the form {PREFIX}:<nonce>:<expiry>:<service>")]
    MalformedChallenge,
    #[error("the challenge was issued for {0}, not this service")]
    OtherService(String),
    #[error("the challenge is unknown or was already used; ask for a new one")]
    UnknownChallenge,
    #[error("the challenge expired; ask for a new one")]
    Expired,
    #[error("too many logins are in progress; try again in a moment")]
    Busy,
    #[error("{0}")]
    Certificate(#[from] PkiError),
}

impl Challenge {
    /// The text form: `myna-login/1:<32 hex nonce>:<expiry unix>:<service>`. This text is
    /// what is signed, so the service and expiry are covered by the signature.
    pub fn text(&self) -> String {
        format!("{PREFIX}:{}:{}:{}", hex::encode(self.nonce), self.expires, self.service)
    }

    pub fn parse(s: &str) -> Result<Self, LoginError> {
        let mut parts = s.splitn(4, ':');
        let (Some(PREFIX), Some(hex), Some(exp), Some(service)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(LoginError::MalformedChallenge);
        };
        if hex.len() != 32 || service.is_empty() || service.len() > 200 {
            return Err(LoginError::MalformedChallenge);
        }
        let mut nonce = [0u8; 16];
        hex::decode_to_slice(hex, &mut nonce).map_err(|_| LoginError::MalformedChallenge)?;
        let expires = exp.parse().map_err(|_| LoginError::MalformedChallenge)?;
        Ok(Self { service: service.to_owned(), nonce, expires })
    }

    /// SHA-256 of the text, which the host hands the card to sign.
    pub fn digest(&self) -> [u8; 32] {
        crate::sha256(self.text().as_bytes())
    }
}

/// A service's challenges, stateless until one comes back signed: each challenge's nonce is
/// a salt and a MAC under the book's key over the service, the expiry and the salt, so the
/// book checks a signed challenge is its own without having kept it, and remembers only the
/// challenges redeemed (to refuse them a second time) until they expire. Handing out
/// challenges therefore costs no memory: a client that asks for millions fills nothing; only
/// genuine signatures by real cards are remembered.
pub struct ChallengeBook {
    service: String,
    ttl: i64,
    capacity: usize,
    key: Option<hmac::Key>,
    redeemed: HashMap<[u8; 16], i64>,
}

impl ChallengeBook {
    /// A book with a fresh random key (challenges do not outlive the process), remembering at
    /// most `capacity` redeemed challenges at a time.
    pub fn new(service: &str, ttl_secs: i64, capacity: usize) -> Self {
        let key = hmac::Key::generate(hmac::HMAC_SHA256, &aws_lc_rs::rand::SystemRandom::new()).ok();
        Self { service: service.to_owned(), ttl: ttl_secs, capacity, key, redeemed: HashMap::new() }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn tag(&self, salt: &[u8; 8], expires: i64) -> Option<[u8; 8]> {
        let mut ctx = hmac::Context::with_key(self.key.as_ref()?);
        ctx.update(b"myna-challenge/1\0");
        ctx.update(self.service.as_bytes());
        ctx.update(b"\0");
        ctx.update(&expires.to_be_bytes());
        ctx.update(salt);
        let t = ctx.sign();
        let mut out = [0u8; 8];
        out.copy_from_slice(t.as_ref().get(..8)?);
        Some(out)
    }

    /// The challenge for `salt` that expires at `expires`: the same every time, so a service
    /// can rebuild the challenge it showed from what its page keeps (`salt`, `expires`).
    pub fn at(&self, salt: [u8; 8], expires: i64) -> Result<Challenge, LoginError> {
        let tag = self.tag(&salt, expires).ok_or(LoginError::Busy)?;
        let mut nonce = [0u8; 16];
        nonce[..8].copy_from_slice(&salt);
        nonce[8..].copy_from_slice(&tag);
        Ok(Challenge { service: self.service.clone(), nonce, expires })
    }

    /// A new challenge from the caller's random bytes (the first 8 are its salt).
    pub fn issue(&mut self, random: [u8; 16], now: i64) -> Result<Challenge, LoginError> {
        let mut salt = [0u8; 8];
        salt.copy_from_slice(&random[..8]);
        self.at(salt, now + self.ttl)
    }

    /// Spends the challenge: it must be this book's, unexpired and not spent before.
    pub fn redeem(&mut self, c: &Challenge, now: i64) -> Result<(), LoginError> {
        if c.service != self.service {
            return Err(LoginError::OtherService(c.service.clone()));
        }
        let mut salt = [0u8; 8];
        salt.copy_from_slice(&c.nonce[..8]);
        let tag = self.tag(&salt, c.expires).ok_or(LoginError::Busy)?;
        if aws_lc_rs::constant_time::verify_slices_are_equal(&tag, &c.nonce[8..]).is_err() || c.expires > now + self.ttl
        {
            return Err(LoginError::UnknownChallenge);
        }
        if now > c.expires {
            return Err(LoginError::Expired);
        }
        if self.redeemed.len() >= self.capacity {
            self.redeemed.retain(|_, exp| *exp >= now);
            if self.redeemed.len() >= self.capacity {
                return Err(LoginError::Busy);
            }
        }
        if self.redeemed.insert(c.nonce, c.expires).is_some() {
            return Err(LoginError::UnknownChallenge);
        }
        Ok(())
    }

    /// Redeemed challenges remembered (the only state the book keeps).
    pub fn outstanding(&self) -> usize {
        self.redeemed.len()
    }
}

/// What the holder's tool sends back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// The challenge text, as issued.
    pub challenge: String,
    /// The user-authentication certificate (DER, base64).
    pub certificate: String,
    /// The signature over the challenge text (base64).
    pub signature: String,
}

/// A login that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginOk {
    /// The service's name for this holder.
    pub pseudonym: String,
    /// The session must not outlive the certificate.
    pub certificate_expires: i64,
}

/// The service side of the protocol.
pub struct LoginVerifier {
    trust: TrustStore,
    pseudonym_key: hmac::Key,
}

impl LoginVerifier {
    /// `pseudonym_key` is the service's own secret; pseudonyms are stable for one certificate at
    /// one service.
    pub fn new(trust: TrustStore, pseudonym_key: &[u8]) -> Self {
        Self { trust, pseudonym_key: hmac::Key::new(hmac::HMAC_SHA256, pseudonym_key) }
    }

    pub fn trust(&self) -> &TrustStore {
        &self.trust
    }

    /// Parses the response's certificate (so the caller can look up its revocation status).
    pub fn certificate(&self, resp: &LoginResponse) -> Result<CardCert, LoginError> {
        use base64ct::{Base64, Encoding};
        let der = Base64::decode_vec(&resp.certificate)
            .map_err(|_| PkiError::MalformedCertificate("certificate is not base64".into()))?;
        Ok(CardCert::parse(&der)?)
    }

    /// Every check, in an order that spends the challenge only on a genuine signature.
    pub fn verify(
        &self,
        book: &mut ChallengeBook,
        resp: &LoginResponse,
        cert: &CardCert,
        status: Status,
        now: i64,
    ) -> Result<LoginOk, LoginError> {
        self.check(book, resp, cert, status, now)?;
        Ok(LoginOk { pseudonym: self.pseudonym(cert), certificate_expires: cert.not_after })
    }

    /// [`Self::verify`] without making a pseudonym, for services that identify the holder
    /// by the certificate itself (the health node maps its serial to a registration).
    pub fn check(
        &self,
        book: &mut ChallengeBook,
        resp: &LoginResponse,
        cert: &CardCert,
        status: Status,
        now: i64,
    ) -> Result<(), LoginError> {
        self.trust.check_issued(cert)?;
        self.check_seen(book, resp, cert, status, now)
    }

    /// [`Self::check`] for a certificate whose issuer signature the caller has verified
    /// before with [`TrustStore::check_issued`]: the rest is checked as always.
    pub fn check_seen(
        &self,
        book: &mut ChallengeBook,
        resp: &LoginResponse,
        cert: &CardCert,
        status: Status,
        now: i64,
    ) -> Result<(), LoginError> {
        let challenge = Challenge::parse(&resp.challenge)?;
        if challenge.service != book.service() {
            return Err(LoginError::OtherService(challenge.service));
        }
        signed(&self.trust, resp, &challenge, cert, status, now)?;
        book.redeem(&challenge, now)
    }

    /// HMAC of the issuer and serial under the service's key: stable, unlinkable across services.
    pub fn pseudonym(&self, cert: &CardCert) -> String {
        let mut ctx = hmac::Context::with_key(&self.pseudonym_key);
        ctx.update(b"myna-pseudonym/1");
        ctx.update(cert.cert.tbs_certificate.issuer.to_string().as_bytes());
        ctx.update(&cert.serial.value().to_be_bytes());
        let tag = ctx.sign();
        hex::encode(&tag.as_ref()[..16])
    }
}

/// The certificate current for user authentication and the signature over the challenge.
fn signed(
    trust: &TrustStore,
    resp: &LoginResponse,
    challenge: &Challenge,
    cert: &CardCert,
    status: Status,
    now: i64,
) -> Result<(), LoginError> {
    use base64ct::{Base64, Encoding};
    trust.check_current(cert, CertKind::UserAuth, now, status)?;
    let sig = Base64::decode_vec(&resp.signature).map_err(|_| PkiError::SignatureInvalid)?;
    verify::verify_signature(cert, challenge.text().as_bytes(), &sig)?;
    Ok(())
}

/// A login the service has already accepted, checked again as proof that its holder signed
/// in recently (the portal forwards it; J-LIS checks it for the hub): issued by this
/// authority, current and not revoked, the signature good, and no more than `max_age`
/// seconds past the challenge's expiry. No challenge book: the service spent the challenge
/// at login; the proof is good for the session, not once. Returns the challenge.
pub fn check_proof(
    trust: &TrustStore,
    resp: &LoginResponse,
    cert: &CardCert,
    status: Status,
    now: i64,
    max_age: i64,
) -> Result<Challenge, LoginError> {
    let challenge = Challenge::parse(&resp.challenge)?;
    if now > challenge.expires + max_age {
        return Err(LoginError::Expired);
    }
    trust.check_issued(cert)?;
    signed(trust, resp, &challenge, cert, status, now)?;
    Ok(challenge)
}
