//! The JPKI application (公的個人認証 AP) as the chip answers it, over any [`CardToken`]: the
//! software card speaks the same APDUs as a real My Number Card, so the host side
//! (`jpki_host`) and, over PC/SC, every tool reads and signs the same way from both. The AID
//! is REFERENCE §3's; the file identifiers and commands are the public facts open-source
//! readers of the card document (our own code, written from them).
//!
//! Beside it, the 券面事項入力補助 application: its PIN (4 digits, a counter of its own) opens
//! the number and the 4 items as J-LIS signed them. The real card keeps them as TLV with J-LIS's
//! signature; this card keeps J-LIS's compact JWS of the same items, read the same way.
//!
//! What the chip enforces, this does too: a key signs only after its secret was verified in
//! this session (power-on to power-off), a wrong secret answers the tries left (`63 Cx`), a
//! locked one `69 83`, and the keys never leave.

use crate::{
    CardCert, CertKind, Secret,
    apdu::{Command, Response, sw},
    token::{CardToken, FaceToken, TokenError},
};

/// The 券面事項入力補助 application's AID.
pub const FACE_AID: [u8; 10] = [0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08];

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
    /// In the 券面事項入力補助 application: its PIN, and the signed items.
    pub const FACE_PIN: u16 = 0x0011;
    pub const FACE_ITEMS: u16 = 0x0002;
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
    FacePin,
    FaceItems,
}

/// Which application is selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ap {
    None,
    Jpki,
    Face,
}

fn file_of(ap: Ap, fid: u16) -> Option<File> {
    if ap == Ap::Face {
        return match fid {
            ef::FACE_PIN => Some(File::FacePin),
            ef::FACE_ITEMS => Some(File::FaceItems),
            _ => None,
        };
    }
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
pub struct Applet<T: CardToken + FaceToken> {
    token: T,
    ap: Ap,
    file: Option<File>,
    /// Keys opened by their secrets this session (the chip's security status).
    verified: Vec<(CertKind, T::Opened)>,
    /// The face data, once its PIN was verified this session.
    face: Option<String>,
}

impl<T: CardToken + FaceToken> Applet<T> {
    pub fn new(token: T) -> Self {
        Self { token, ap: Ap::None, file: None, verified: Vec::new(), face: None }
    }

    /// Power off and on: nothing selected, nothing verified.
    pub fn reset(&mut self) {
        self.ap = Ap::None;
        self.file = None;
        self.verified.clear();
        self.face = None;
    }

    pub fn token(&self) -> &T {
        &self.token
    }

    /// The token, out of the chip (the power off).
    pub fn into_token(self) -> T {
        self.token
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
                self.ap = if aid == JPKI_AID {
                    Ap::Jpki
                } else if aid == FACE_AID {
                    Ap::Face
                } else {
                    Ap::None
                };
                self.file = None;
                Response::status(if self.ap == Ap::None { sw::FILE_NOT_FOUND } else { sw::OK })
            }
            (0x02, &[hi, lo]) if self.ap != Ap::None => match file_of(self.ap, u16::from_be_bytes([hi, lo])) {
                Some(f) => {
                    self.file = Some(f);
                    Response::status(sw::OK)
                }
                None => Response::status(sw::FILE_NOT_FOUND),
            },
            (0x02, _) => Response::status(sw::CONDITIONS_NOT_SATISFIED),
            _ => Response::status(sw::WRONG_P1P2),
        }
    }

    fn verify(&mut self, c: &Command) -> Response {
        if self.file == Some(File::FacePin) {
            return self.verify_face(c);
        }
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
        match self.token.open_key(&secret) {
            Ok(key) => {
                self.verified.retain(|(k, _)| *k != kind);
                self.verified.push((kind, key));
                Response::status(sw::OK)
            }
            Err(TokenError::WrongSecret { tries_left, .. }) => Response::status(sw::tries(tries_left)),
            Err(TokenError::Locked(_)) => Response::status(sw::AUTH_BLOCKED),
            Err(_) => Response::status(sw::CONDITIONS_NOT_SATISFIED),
        }
    }

    fn verify_face(&mut self, c: &Command) -> Response {
        let Some(tries) = self.token.face_tries_left() else { return Response::status(sw::FILE_NOT_FOUND) };
        if c.data.is_empty() {
            return if tries == 0 { Response::status(sw::AUTH_BLOCKED) } else { Response::status(sw::tries(tries)) };
        }
        let Ok(pin) = std::str::from_utf8(&c.data)
            .map_err(|_| ())
            .and_then(|s| Secret::new(CertKind::UserAuth, s).map_err(|_| ()))
        else {
            return Response::status(sw::WRONG_DATA);
        };
        match self.token.read_face(&pin) {
            Ok(items) => {
                self.face = Some(items);
                Response::status(sw::OK)
            }
            Err(TokenError::WrongFacePin { tries_left }) => Response::status(sw::tries(tries_left)),
            Err(TokenError::FaceLocked) => Response::status(sw::AUTH_BLOCKED),
            Err(_) => Response::status(sw::CONDITIONS_NOT_SATISFIED),
        }
    }

    fn read(&mut self, c: &Command) -> Response {
        let der = match self.file {
            Some(File::Cert(kind)) => {
                match self.token.certificate(kind).and_then(|pem| CardCert::parse(pem.as_bytes()).ok()) {
                    Some(c) => c.der,
                    None => return Response::status(sw::FILE_NOT_FOUND),
                }
            }
            Some(File::FaceItems) => match &self.face {
                Some(items) => items.as_bytes().to_vec(),
                None => return Response::status(sw::SECURITY_NOT_SATISFIED),
            },
            _ => return Response::status(sw::CONDITIONS_NOT_SATISFIED),
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
        let Some((_, key)) = self.verified.iter().find(|(k, _)| *k == kind) else {
            return Response::status(sw::SECURITY_NOT_SATISFIED);
        };
        let Some(digest) = c.data.strip_prefix(&SHA256_DIGEST_INFO[..]).and_then(|d| <[u8; 32]>::try_from(d).ok())
        else {
            return Response::status(sw::WRONG_DATA);
        };
        match T::sign_opened(key, &digest) {
            Ok(sig) => Response::ok(sig),
            Err(_) => Response::status(sw::CONDITIONS_NOT_SATISFIED),
        }
    }
}
