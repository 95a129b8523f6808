//! The card at the moving desk's counter: after a 転入 or 転居 the signing certificate names
//! the old address (J-LIS revoked it), so the counter gives the card a new one while the
//! holder is there.

use std::sync::Arc;

use myna_jlis::{CardView, ReissueRequest, ResetKeyRequest, ResetKeyResponse};
use myna_node::post_json;
use myna_pki::reader::CardReader;

use crate::{Moving, MovingError, desk::jlis};

impl Moving {
    /// Puts a card reader at the counter (once).
    pub fn set_reader(&self, reader: Arc<dyn CardReader>) {
        let _ = self.reader.set(reader);
    }

    /// The counter's card reader, if it has one (the office system's intake reads cards on it).
    pub fn reader(&self) -> Option<&Arc<dyn CardReader>> {
        self.reader.get()
    }

    /// The cards on the counter's reader, if it has one.
    pub fn cards(&self) -> Vec<myna_pki::reader::CardInfo> {
        self.reader.get().map(|r| r.cards()).unwrap_or_default()
    }

    /// The card's new signing certificate at the counter, after the 転入 (the old one names
    /// the old address and J-LIS revoked it): J-LIS releases the card's reset key to this
    /// municipality, the card makes a new key after the holder's password, J-LIS certifies it
    /// with the address it now holds, and the card takes the certificate. The card's face data
    /// (券面事項入力補助), which J-LIS rewrites with it, is written too when the holder typed its
    /// 4-digit PIN. Returns that address, and what became of the face data: not asked (no PIN
    /// typed), rewritten, or what the card said (a wrong PIN: the certificate is on the card
    /// all the same, and the face data can be written again).
    pub async fn renew_signing(
        &self,
        card: &str,
        password: &str,
        face_pin: Option<&str>,
        clerk: &str,
    ) -> Result<(String, Option<Result<(), String>>), MovingError> {
        let reader = self.reader.get().ok_or_else(|| MovingError::Refused("no card reader at this counter".into()))?;
        let number = reader.number(card).map_err(MovingError::Refused)?;
        let ask = ResetKeyRequest {
            clerk: clerk.into(), document: "個人番号カード（転入届の窓口で本人確認）".into()
        };
        let url = format!("{}/v1/cards/{number}/reset-key", self.jlis);
        let released: ResetKeyResponse = post_json(&self.client, &url, &ask).await.map_err(jlis)?;
        let key: [u8; 32] = hex::decode(&released.reset_key)
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| MovingError::Jlis("the reset key is not 64 hex characters".into()))?;
        let csr = reader.renew_signing(card, password, &key).map_err(MovingError::Refused)?;
        let url = format!("{}/v1/cards/{number}/reissue-signing", self.jlis);
        let body = ReissueRequest { signing_csr: myna_pki::pem("CERTIFICATE REQUEST", &csr) };
        let view: CardView = post_json(&self.client, &url, &body).await.map_err(jlis)?;
        let pem = view
            .certificates
            .iter()
            .rev()
            .find(|c| c.kind == "sign" && c.status == "good")
            .map(|c| c.pem.clone())
            .ok_or_else(|| MovingError::Jlis("J-LIS answered without a good signing certificate".into()))?;
        reader.install_signing(card, &pem).map_err(MovingError::Refused)?;
        let address = myna_pki::CardCert::parse(pem.as_bytes())
            .ok()
            .and_then(|c| c.holder)
            .map(|h| h.address)
            .ok_or_else(|| MovingError::Jlis("the new certificate names no address".into()))?;
        let face = match (face_pin, &view.face) {
            (Some(pin), Some(face)) => Some(reader.write_face(card, pin, face)),
            _ => None,
        };
        Ok((address, face))
    }
}
