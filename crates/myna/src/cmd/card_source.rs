//! Where a card command's card is: a software card file, or a card in a PC/SC reader (a My
//! Number Card, or `myna card emulate`'s virtual one). Both read certificates and sign the
//! same way; the chip keeps its own tries.

use std::path::Path;

use myna_pki::{CardCert, CertKind, Secret, token::CardToken as _};

use super::{card_file, card_file::FileStore};

type Error = Box<dyn std::error::Error>;

pub enum Held {
    File(Box<myna_pki::softcard::SoftCard<FileStore>>),
    #[cfg(feature = "pcsc")]
    Reader(myna_pki::jpki_host::JpkiCard<super::pcsc_reader::Pcsc>),
}

impl Held {
    /// The card file, or the card in `reader` (a name; with neither, the first reader holding
    /// a card).
    pub fn open(file: Option<&Path>, reader: Option<&str>) -> Result<Self, Error> {
        match (file, reader) {
            (Some(f), None) => Self::file(f),
            (Some(_), Some(_)) => Err("name a card file or a --reader, not both".into()),
            (None, r) => in_reader(r),
        }
    }

    /// The card file at `path`.
    pub fn file(path: &Path) -> Result<Self, Error> {
        Ok(Held::File(Box::new(card_file::open(path)?)))
    }

    pub fn certificate(&mut self, kind: CertKind) -> Result<CardCert, Error> {
        match self {
            Held::File(c) => super::card::certificate(c, kind),
            #[cfg(feature = "pcsc")]
            Held::Reader(j) => Ok(CardCert::parse(&j.certificate(kind)?)?),
        }
    }

    /// Tries left of `kind`'s secret, as the card reports them.
    pub fn tries_left(&mut self, kind: CertKind) -> Result<u8, Error> {
        match self {
            Held::File(c) => Ok(c.tries_left(kind)),
            #[cfg(feature = "pcsc")]
            Held::Reader(j) => Ok(j.tries_left(kind)?),
        }
    }

    /// The card's number, when the card says it (a card file once issued; the JPKI
    /// application of a chip does not).
    pub fn card_number(&self) -> Option<String> {
        match self {
            Held::File(c) => c.file().card_number.clone(),
            #[cfg(feature = "pcsc")]
            Held::Reader(_) => None,
        }
    }

    /// The card's number and expiry, when the card says them.
    pub fn number(&self) -> Option<String> {
        match self {
            Held::File(c) => Some(format!(
                "card {}  valid until {}",
                c.file().card_number.as_deref().unwrap_or("(not issued)"),
                c.file().card_expires.map(|d| d.to_string()).unwrap_or_default()
            )),
            #[cfg(feature = "pcsc")]
            Held::Reader(_) => None,
        }
    }

    /// The 券面事項入力補助 items as J-LIS signed them (a compact JWS), after the 4-digit PIN.
    pub fn face(&mut self, pin: &Secret) -> Result<String, Error> {
        match self {
            Held::File(c) => Ok(c.read_face(pin)?),
            #[cfg(feature = "pcsc")]
            Held::Reader(j) => Ok(j.face(pin)?),
        }
    }

    /// The key of `secret`'s kind signs a SHA-256 digest, after the secret.
    pub fn sign(&mut self, secret: &Secret, digest: &[u8; 32]) -> Result<Vec<u8>, Error> {
        match self {
            Held::File(c) => Ok(c.sign_digest(secret, digest)?),
            #[cfg(feature = "pcsc")]
            Held::Reader(j) => Ok(j.sign(secret, digest)?),
        }
    }
}

#[cfg(feature = "pcsc")]
fn in_reader(reader: Option<&str>) -> Result<Held, Error> {
    Ok(Held::Reader(super::pcsc_reader::open(reader)?))
}

#[cfg(not(feature = "pcsc"))]
fn in_reader(_: Option<&str>) -> Result<Held, Error> {
    Err("name a card file, or use a reader with a myna built with PC/SC: cargo build --release -p myna --features pcsc (needs Debian's libpcsclite-dev)".into())
}

/// The PC/SC readers, each with whether it holds a card.
#[cfg(feature = "pcsc")]
pub fn readers() -> Result<Vec<(String, bool)>, Error> {
    Ok(super::pcsc_reader::readers()?)
}

#[cfg(not(feature = "pcsc"))]
pub fn readers() -> Result<Vec<(String, bool)>, Error> {
    in_reader(None).map(|_| Vec::new())
}
