//! The card's 券面事項入力補助 application in the software card: the number and the 4 items
//! J-LIS signed at issuance (`myna_link::face::CardFace`, kept here as the signed text this
//! crate does not open), sealed under the 4-digit 券面事項入力補助用暗証番号 with a try
//! counter of its own, spent before the PIN is checked, as for the keys.

use base64ct::{Base64, Encoding};
use serde::{Deserialize, Serialize};

use super::{CardStore, SoftCard, derive, open_for, random, seal_for};
use crate::{Secret, token::TokenError};

/// Tries of the face-data PIN before it locks, as on the chip.
pub const FACE_TRIES: u8 = 3;

const AAD: &[u8] = b"myna-softcard/1|face";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FaceSlot {
    salt: String,
    sealed: String,
    pub tries_left: u8,
}

impl<S: CardStore> SoftCard<S> {
    /// Writes J-LIS's signed face data into the card behind `pin` (4 digits, the form of the
    /// user-authentication PIN; set at the counter when the card is handed over, where most
    /// holders choose the same digits). Replaces what the card held, with a full counter.
    pub fn write_face(&mut self, pin: &Secret, signed: &str) -> Result<(), TokenError> {
        if pin.kind() != crate::CertKind::UserAuth {
            return Err(TokenError::SecretForm("the face data's PIN is 4 digits".into()));
        }
        let salt = Base64::encode_string(&random::<16>()?);
        let key = derive(&self.file.kdf, pin, &salt)?;
        let sealed = seal_for(&key, AAD, signed.as_bytes())?;
        self.file.face = Some(FaceSlot { salt, sealed, tries_left: FACE_TRIES });
        self.save()
    }

    /// Replaces the face data after its PIN (a try spent if wrong, as a chip verifies before a
    /// write), sealed under the key that PIN opened; a card that holds none yet takes it under
    /// `pin`.
    pub fn rewrite_face(&mut self, pin: &Secret, signed: &str) -> Result<(), TokenError> {
        let key = match self.open_face(pin) {
            Ok((key, _)) => key,
            Err(TokenError::NoFace) => return self.write_face(pin, signed),
            Err(e) => return Err(e),
        };
        let sealed = seal_for(&key, AAD, signed.as_bytes())?;
        if let Some(slot) = self.file.face.as_mut() {
            slot.sealed = sealed;
        }
        self.save()
    }

    /// Tries left of the face-data PIN (`None` if the card holds no face data).
    pub fn face_tries_left(&self) -> Option<u8> {
        self.file.face.as_ref().map(|f| f.tries_left)
    }

    /// The signed face data, after the PIN. A wrong PIN spends a try; the third locks it.
    pub fn read_face(&mut self, pin: &Secret) -> Result<String, TokenError> {
        let (_, plain) = self.open_face(pin)?;
        self.save()?;
        String::from_utf8(plain).map_err(|_| TokenError::Damaged("the face data is not text".into()))
    }

    /// Checks `pin` against the face data, the try spent and saved first; on success the key
    /// it derived and the plain data, with the counter full again in memory (the caller saves).
    fn open_face(&mut self, pin: &Secret) -> Result<([u8; 32], Vec<u8>), TokenError> {
        let Some(slot) = self.file.face.as_mut() else { return Err(TokenError::NoFace) };
        if slot.tries_left == 0 {
            return Err(TokenError::FaceLocked);
        }
        let tries = slot.tries_left;
        slot.tries_left = tries - 1;
        let (salt, sealed) = (slot.salt.clone(), slot.sealed.clone());
        self.save()?;
        let key = derive(&self.file.kdf, pin, &salt)?;
        let Some(plain) = open_for(&key, AAD, &sealed)? else {
            return Err(match tries - 1 {
                0 => TokenError::FaceLocked,
                n => TokenError::WrongFacePin { tries_left: n },
            });
        };
        if let Some(slot) = self.file.face.as_mut() {
            slot.tries_left = FACE_TRIES;
        }
        Ok((key, plain))
    }
}

#[cfg(test)]
mod tests {
    use crate::softcard::{KdfParams, SoftCard};
    use crate::{
        CertKind, Secret,
        token::{CardToken as _, TokenError},
    };

    #[test]
    fn the_face_data_opens_with_its_pin_and_locks_after_three_wrong_tries() {
        let pin = Secret::new(CertKind::UserAuth, "1234").unwrap();
        let password = Secret::new(CertKind::Signing, "ABC123").unwrap();
        let (mut card, _) = SoftCard::create(&password, &pin, KdfParams::LIGHT, Vec::new()).unwrap();
        assert_eq!(card.read_face(&pin), Err(TokenError::NoFace));
        // A card without face data takes it on a rewrite (a card issued before J-LIS wrote it).
        card.rewrite_face(&pin, "old.face.data").unwrap();
        assert_eq!(card.read_face(&pin).unwrap(), "old.face.data");
        card.rewrite_face(&pin, "header.payload.signature").unwrap();
        // Kept in the file, not in the clear.
        let bytes = card.into_store();
        assert!(!String::from_utf8_lossy(&bytes).contains("payload"));
        let mut card = SoftCard::open(&bytes.clone(), bytes).unwrap();
        assert_eq!(card.read_face(&pin).unwrap(), "header.payload.signature");
        let wrong = Secret::new(CertKind::UserAuth, "9999").unwrap();
        assert_eq!(card.read_face(&wrong), Err(TokenError::WrongFacePin { tries_left: 2 }));
        // The right PIN fills the counter again.
        assert!(card.read_face(&pin).is_ok());
        assert_eq!(card.face_tries_left(), Some(3));
        assert_eq!(card.read_face(&wrong), Err(TokenError::WrongFacePin { tries_left: 2 }));
        assert_eq!(card.read_face(&wrong), Err(TokenError::WrongFacePin { tries_left: 1 }));
        assert_eq!(card.read_face(&wrong), Err(TokenError::FaceLocked));
        assert_eq!(card.read_face(&pin), Err(TokenError::FaceLocked), "locked even for the right PIN");
        // A rewrite needs the PIN it holds.
        assert_eq!(card.rewrite_face(&wrong, "x.y.z"), Err(TokenError::FaceLocked));
        // The keys' counters are apart from it.
        assert_eq!(card.tries_left(CertKind::UserAuth), 3);
    }
}

impl<S: CardStore> crate::token::FaceToken for SoftCard<S> {
    fn face_tries_left(&self) -> Option<u8> {
        SoftCard::face_tries_left(self)
    }

    fn read_face(&mut self, pin: &Secret) -> Result<String, TokenError> {
        SoftCard::read_face(self, pin)
    }
}
