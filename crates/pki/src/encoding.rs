//! The small encodings every JPKI party needs: PEM in and out, and SHA-256 of a message as the
//! digest a card signs.

use crate::PkiError;

/// `der` as PEM under `label` (e.g. `CERTIFICATE`, `CERTIFICATE REQUEST`).
pub fn pem(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap_or_default()
}

/// The DER inside one PEM block, which must be labelled `label`.
pub fn from_pem(text: &str, label: &str) -> Result<Vec<u8>, PkiError> {
    let (found, der) =
        der::pem::decode_vec(text.trim().as_bytes()).map_err(|e| PkiError::Encoding(format!("PEM: {e}")))?;
    if found != label {
        return Err(PkiError::Encoding(format!("PEM labelled {found}, expected {label}")));
    }
    Ok(der)
}

/// SHA-256 of `message`: what the host hands the card to sign.
pub fn sha256(message: &[u8]) -> [u8; 32] {
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}
