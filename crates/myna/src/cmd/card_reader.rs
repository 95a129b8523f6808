//! The demo's card reader for the portal: the card files the demo issued, in one folder.
//! Each use opens the file, so tries and locks are the card's own and survive restarts.

use std::path::PathBuf;

use myna_pki::reader::{CardInfo, CardReader, CardSignature};
use myna_pki::{CertKind, Secret, token::CardToken};

use super::card_file;

/// The user-authentication PIN of every card the demo issues (the health node's demo reader
/// also stands in with it for the card's unlock after a face match).
pub(crate) const DEMO_PIN: &str = "1234";

pub struct FolderCards {
    pub dir: PathBuf,
}

impl FolderCards {
    fn path(&self, id: &str) -> Result<PathBuf, String> {
        // Only a file name from the listing: no path can be smuggled in.
        if id.is_empty() || id.contains(['/', '\\']) || id.starts_with('.') || !id.ends_with(".card.json") {
            return Err("no such card".into());
        }
        Ok(self.dir.join(id))
    }
}

impl CardReader for FolderCards {
    fn cards(&self) -> Vec<CardInfo> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| n.ends_with(".card.json")).collect()
            })
            .unwrap_or_default();
        names.sort();
        names
            .into_iter()
            .filter_map(|id| {
                let card = card_file::open(&self.dir.join(&id)).ok()?;
                let holder = super::card::certificate(&card, CertKind::Signing)
                    .ok()
                    .and_then(|c| c.holder.map(|h| h.name.to_string()))
                    .unwrap_or_else(|| id.clone());
                Some(CardInfo {
                    holder,
                    auth_tries_left: card.tries_left(CertKind::UserAuth),
                    sign_tries_left: card.tries_left(CertKind::Signing),
                    id,
                })
            })
            .collect()
    }

    fn sign(&self, id: &str, kind: CertKind, secret: &str, digest: &[u8; 32]) -> Result<CardSignature, String> {
        let mut card = card_file::open(&self.path(id)?).map_err(|e| e.to_string())?;
        let cert = super::card::certificate(&card, kind).map_err(|e| e.to_string())?;
        let secret = Secret::new(kind, secret.trim()).map_err(|e| e.to_string())?;
        let signature = card.sign_digest(&secret, digest).map_err(|e| e.to_string())?;
        Ok(CardSignature { signature, certificate: cert.der })
    }

    fn number(&self, id: &str) -> Result<String, String> {
        let card = card_file::open(&self.path(id)?).map_err(|e| e.to_string())?;
        card.file().card_number.clone().ok_or_else(|| "the card was never issued".into())
    }

    fn face(&self, id: &str, pin: &str) -> Result<String, String> {
        let mut card = card_file::open(&self.path(id)?).map_err(|e| e.to_string())?;
        let pin = Secret::new(CertKind::UserAuth, pin.trim()).map_err(|e| e.to_string())?;
        card.read_face(&pin).map_err(|e| e.to_string())
    }

    fn write_face(&self, id: &str, pin: &str, face: &str) -> Result<(), String> {
        let mut card = card_file::open(&self.path(id)?).map_err(|e| e.to_string())?;
        let pin = Secret::new(CertKind::UserAuth, pin.trim()).map_err(|e| e.to_string())?;
        card.rewrite_face(&pin, face).map_err(|e| e.to_string())
    }

    fn renew_signing(&self, id: &str, password: &str, reset_key: &[u8; 32]) -> Result<Vec<u8>, String> {
        let mut card = card_file::open(&self.path(id)?).map_err(|e| e.to_string())?;
        let secret = Secret::new(CertKind::Signing, password.trim()).map_err(|e| e.to_string())?;
        card.renew_signing(&secret, reset_key).map_err(|e| e.to_string())
    }

    fn install_signing(&self, id: &str, pem: &str) -> Result<(), String> {
        let mut card = card_file::open(&self.path(id)?).map_err(|e| e.to_string())?;
        card.install_signing(pem).map_err(|e| e.to_string())
    }
}
