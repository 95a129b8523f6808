//! The host's side of the JPKI application: what a reader program sends a My Number Card (or
//! the software card's [`crate::jpki_ap::Applet`]) to read its certificates, learn the tries
//! left, verify a secret and have a key sign, over any [`Transport`] — in process for tests,
//! PC/SC for a chip.

use crate::{
    CertKind, Secret,
    apdu::{ApduError, Command, Response, sw},
    jpki_ap::{FACE_AID, JPKI_AID, SHA256_DIGEST_INFO, ef},
    token::TokenError,
};

/// Carries one command to the card and its response back.
pub trait Transport {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, String>;
}

impl<T: crate::token::CardToken + crate::token::FaceToken> Transport for crate::jpki_ap::Applet<T> {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, String> {
        Ok(self.process(apdu))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HostError {
    #[error("the reader: {0}")]
    Transport(String),
    #[error("the card's answer: {0}")]
    Apdu(#[from] ApduError),
    #[error("this is not a My Number Card (no JPKI application)")]
    NotJpki,
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error("the card answered {0:04X}")]
    Status(u16),
    #[error("the card's certificate is not DER")]
    BadCertificate,
}

/// A card reached through `T`.
pub struct JpkiCard<T: Transport> {
    t: T,
    /// Commands sent, for the APDU counts BENCHMARKS reports.
    pub sent: usize,
}

fn files(kind: CertKind) -> (u16, u16, u16) {
    match kind {
        CertKind::UserAuth => (ef::AUTH_CERT, ef::AUTH_PIN, ef::AUTH_KEY),
        CertKind::Signing => (ef::SIGN_CERT, ef::SIGN_PIN, ef::SIGN_KEY),
    }
}

impl<T: Transport> JpkiCard<T> {
    pub fn new(t: T) -> Self {
        Self { t, sent: 0 }
    }

    pub fn into_transport(self) -> T {
        self.t
    }

    fn send(&mut self, c: Command) -> Result<Response, HostError> {
        self.sent += 1;
        let bytes = self.t.transmit(&c.bytes()).map_err(HostError::Transport)?;
        Ok(Response::parse(&bytes)?)
    }

    fn ok(&mut self, c: Command) -> Result<Vec<u8>, HostError> {
        let r = self.send(c)?;
        if r.sw == sw::OK { Ok(r.data) } else { Err(HostError::Status(r.sw)) }
    }

    /// Selects the JPKI application.
    pub fn select(&mut self) -> Result<(), HostError> {
        match self.ok(Command::new(0x00, 0xA4, 0x04, 0x0C, &JPKI_AID, None)) {
            Err(HostError::Status(sw::FILE_NOT_FOUND)) => Err(HostError::NotJpki),
            r => r.map(|_| ()),
        }
    }

    fn select_ef(&mut self, fid: u16) -> Result<(), HostError> {
        self.ok(Command::new(0x00, 0xA4, 0x02, 0x0C, &fid.to_be_bytes(), None)).map(|_| ())
    }

    /// The certificate of `kind`, DER: its length from the first four bytes, then the rest.
    pub fn certificate(&mut self, kind: CertKind) -> Result<Vec<u8>, HostError> {
        self.select_ef(files(kind).0)?;
        let head = self.ok(Command::new(0x00, 0xB0, 0x00, 0x00, &[], Some(4)))?;
        let total = match head.as_slice() {
            [0x30, 0x82, hi, lo] => 4 + usize::from(u16::from_be_bytes([*hi, *lo])),
            _ => return Err(HostError::BadCertificate),
        };
        let mut der = head;
        while der.len() < total {
            let off = der.len() as u16;
            let want = (total - der.len()).min(256);
            let [hi, lo] = off.to_be_bytes();
            let chunk = self.ok(Command::new(0x00, 0xB0, hi, lo, &[], Some(want)))?;
            if chunk.is_empty() {
                return Err(HostError::BadCertificate);
            }
            der.extend_from_slice(&chunk);
        }
        Ok(der)
    }

    /// Tries left for `kind`'s secret, as the chip reports them without one.
    pub fn tries_left(&mut self, kind: CertKind) -> Result<u8, HostError> {
        self.select_ef(files(kind).1)?;
        let r = self.send(Command::new(0x00, 0x20, 0x00, 0x80, &[], None))?;
        match r.sw {
            sw::AUTH_BLOCKED => Ok(0),
            s => sw::tries_of(s).ok_or(HostError::Status(s)),
        }
    }

    /// Verifies the secret; a wrong one answers the tries left, a locked one says so.
    pub fn verify(&mut self, secret: &Secret) -> Result<(), HostError> {
        let kind = secret.kind();
        self.select_ef(files(kind).1)?;
        let r = self.send(Command::new(0x00, 0x20, 0x00, 0x80, secret.bytes(), None))?;
        match r.sw {
            sw::OK => Ok(()),
            sw::AUTH_BLOCKED => Err(TokenError::Locked(kind).into()),
            s => match sw::tries_of(s) {
                Some(0) => Err(TokenError::Locked(kind).into()),
                Some(n) => Err(TokenError::WrongSecret { kind, tries_left: n }.into()),
                None => Err(HostError::Status(s)),
            },
        }
    }

    /// The key of `kind` signs a SHA-256 digest (sent as a DigestInfo) after `secret`.
    pub fn sign(&mut self, secret: &Secret, digest: &[u8; 32]) -> Result<Vec<u8>, HostError> {
        self.verify(secret)?;
        self.select_ef(files(secret.kind()).2)?;
        let mut info = SHA256_DIGEST_INFO.to_vec();
        info.extend_from_slice(digest);
        self.ok(Command::new(0x80, 0x2A, 0x00, 0x80, &info, Some(256)))
    }

    /// The 券面事項入力補助 application's signed items (the number and the 4 items as J-LIS
    /// signed them), after its 4-digit PIN; the JPKI application is selected again after.
    pub fn face(&mut self, pin: &Secret) -> Result<String, HostError> {
        match self.ok(Command::new(0x00, 0xA4, 0x04, 0x0C, &FACE_AID, None)) {
            Err(HostError::Status(sw::FILE_NOT_FOUND)) => return Err(HostError::NotJpki),
            r => r.map(|_| ())?,
        }
        self.select_ef(ef::FACE_PIN)?;
        let r = self.send(Command::new(0x00, 0x20, 0x00, 0x80, pin.bytes(), None))?;
        match r.sw {
            sw::OK => {}
            sw::AUTH_BLOCKED => return Err(TokenError::FaceLocked.into()),
            sw::FILE_NOT_FOUND => return Err(TokenError::NoFace.into()),
            s => {
                return Err(match sw::tries_of(s) {
                    Some(n) => TokenError::WrongFacePin { tries_left: n }.into(),
                    None => HostError::Status(s),
                });
            }
        }
        self.select_ef(ef::FACE_ITEMS)?;
        let mut items = Vec::new();
        loop {
            let [hi, lo] = (items.len() as u16).to_be_bytes();
            let chunk = self.ok(Command::new(0x00, 0xB0, hi, lo, &[], Some(256)))?;
            let last = chunk.len() < 256;
            items.extend_from_slice(&chunk);
            if last {
                break;
            }
        }
        self.select()?;
        String::from_utf8(items).map_err(|_| HostError::BadCertificate)
    }
}
