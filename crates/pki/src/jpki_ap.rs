//! The JPKI application (公的個人認証 AP) as the chip answers it, over any [`CardToken`]: the
//! software card speaks the same APDUs as a real My Number Card, so the host side
//! (`jpki_host`) and, over PC/SC, every tool reads and signs the same way from both. The AID
//! is REFERENCE §3's; the file identifiers and commands are the public facts open-source
//! readers of the card document (our own code, written from them).
//!
//! What the chip enforces, this does too: a key signs only after its secret was verified in
//! this session (power-on to power-off), a wrong secret answers the tries left (`63 Cx`), a
//! locked one `69 83`, and the keys never leave.

use crate::{
    CardCert, CertKind, Secret,
    apdu::{Command, Response, sw},
    token::{CardToken, TokenError},
};

/// The JPKI application's AID.
pub const JPKI_AID: [u8; 10] = [0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01];

/// The elementary files of the JPKI application.
pub mod ef {
    pub const AUTH_CERT: u16 = 0x000A;
    pub const AUTH_PIN: u16 = 0x0018;
    pub const AUTH_KEY: u16 = 0x0017;
    pub const SIGN_CERT: u16 = 0x0001;
    pub const SIGN_PIN: u16 = 0x001B;
    pub const SIGN_KEY: u16 = 0x001A;
}

/// The DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2 note 1): what the host sends before
/// the 32 digest bytes.
pub const SHA256_DIGEST_INFO: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/// What a selected file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum File {
    Cert(CertKind),
    Pin(CertKind),
    Key(CertKind),
}

fn file_of(fid: u16) -> Option<File> {
    Some(match fid {
        ef::AUTH_CERT => File::Cert(CertKind::UserAuth),
        ef::AUTH_PIN => File::Pin(CertKind::UserAuth),
        ef::AUTH_KEY => File::Key(CertKind::UserAuth),
        ef::SIGN_CERT => File::Cert(CertKind::Signing),
        ef::SIGN_PIN => File::Pin(CertKind::Signing),
        ef::SIGN_KEY => File::Key(CertKind::Signing),
        _ => return None,
    })
}

/// The chip: a token and the session's state.
pub struct Applet<T: CardToken> {
    token: T,
    selected: bool,
    file: Option<File>,
    /// Secrets verified this session (the chip's security status).
    verified: Vec<Secret>,
}

impl<T: CardToken> Applet<T> {
    pub fn new(token: T) -> Self {
        Self { token, selected: false, file: None, verified: Vec::new() }
    }

    /// Power off and on: nothing selected, nothing verified.
    pub fn reset(&mut self) {
        self.selected = false;
        self.file = None;
        self.verified.clear();
    }

    pub fn token(&self) -> &T {
        &self.token
    }

    /// One command's bytes in, the response's bytes out.
    pub fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        let r = match Command::parse(apdu) {
            Ok(c) => self.command(&c),
            Err(_) => Response::status(sw::WRONG_LENGTH),
        };
        r.bytes()
    }

    fn command(&mut self, c: &Command) -> Response {
        match (c.cla, c.ins) {
            (0x00, 0xA4) => self.select(c),
            (0x00, 0x20) => self.verify(c),
            (0x00, 0xB0) => self.read(c),
            (0x80, 0x2A) => self.sign(c),
            (0x00 | 0x80, _) => Response::status(sw::INS_NOT_SUPPORTED),
            _ => Response::status(sw::CLA_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, c: &Command) -> Response {
        match (c.p1, c.data.as_slice()) {
            (0x04, aid) => {
                self.selected = aid == JPKI_AID;
                self.file = None;
                Response::status(if self.selected { sw::OK } else { sw::FILE_NOT_FOUND })
            }
            (0x02, &[hi, lo]) if self.selected => match file_of(u16::from_be_bytes([hi, lo])) {
                Some(f) => {
                    self.file = Some(f);
                    Response::status(sw::OK)
                }
                None => Response::status(sw::FILE_NOT_FOUND),
            },
            (0x02, _) if !self.selected => Response::status(sw::CONDITIONS_NOT_SATISFIED),
            _ => Response::status(sw::WRONG_P1P2),
        }
    }

    fn verify(&mut self, c: &Command) -> Response {
        let Some(File::Pin(kind)) = self.file else { return Response::status(sw::CONDITIONS_NOT_SATISFIED) };
        if c.data.is_empty() {
            return match self.token.tries_left(kind) {
                0 => Response::status(sw::AUTH_BLOCKED),
                n => Response::status(sw::tries(n)),
            };
        }
        let Ok(secret) =
            std::str::from_utf8(&c.data).map_err(|_| ()).and_then(|s| Secret::new(kind, s).map_err(|_| ()))
        else {
            return Response::status(sw::WRONG_DATA);
        };
        match self.token.verify(&secret) {
            Ok(()) => {
                self.verified.retain(|s| s.kind() != kind);
                self.verified.push(secret);
                Response::status(sw::OK)
            }
            Err(TokenError::WrongSecret { tries_left, .. }) => Response::status(sw::tries(tries_left)),
            Err(TokenError::Locked(_)) => Response::status(sw::AUTH_BLOCKED),
            Err(_) => Response::status(sw::CONDITIONS_NOT_SATISFIED),
        }
    }

    fn read(&mut self, c: &Command) -> Response {
        let Some(File::Cert(kind)) = self.file else { return Response::status(sw::CONDITIONS_NOT_SATISFIED) };
        let Some(der) =
            self.token.certificate(kind).and_then(|pem| CardCert::parse(pem.as_bytes()).ok()).map(|c| c.der)
        else {
            return Response::status(sw::FILE_NOT_FOUND);
        };
        let offset = usize::from(u16::from_be_bytes([c.p1 & 0x7F, c.p2]));
        if offset > der.len() {
            return Response::status(sw::WRONG_P1P2);
        }
        let end = (offset + c.le.unwrap_or(256)).min(der.len());
        Response::ok(der[offset..end].to_vec())
    }

    fn sign(&mut self, c: &Command) -> Response {
        if (c.p1, c.p2) != (0x00, 0x80) {
            return Response::status(sw::WRONG_P1P2);
        }
        let Some(File::Key(kind)) = self.file else { return Response::status(sw::CONDITIONS_NOT_SATISFIED) };
        let Some(secret) = self.verified.iter().find(|s| s.kind() == kind).cloned() else {
            return Response::status(sw::SECURITY_NOT_SATISFIED);
        };
        let Some(digest) = c.data.strip_prefix(&SHA256_DIGEST_INFO[..]).and_then(|d| <[u8; 32]>::try_from(d).ok())
        else {
            return Response::status(sw::WRONG_DATA);
        };
        match self.token.sign_digest(&secret, &digest) {
            Ok(sig) => Response::ok(sig),
            Err(TokenError::Locked(_)) => Response::status(sw::AUTH_BLOCKED),
            Err(_) => Response::status(sw::CONDITIONS_NOT_SATISFIED),
        }
    }
}
