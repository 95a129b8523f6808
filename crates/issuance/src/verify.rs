//! Checking a document as any verifier does (the CLI, the issuer's page, the portal's page for
//! every municipality): from what the person has — the PDF, a photo or scan of its QR code,
//! or the code's text — to the document, its signature, and its log receipt. Whether it was
//! withdrawn since is the log's (or the issuer's) to say, asked by the caller.

use crate::{
    Channel, CodeError, Document, IssuerKeys, LogKey,
    log::{LogProblem, Receipt},
    pdf::{self, PdfError},
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Pdf(#[from] PdfError),
    #[error("the picture does not read: {0}")]
    Picture(String),
    #[error("no QR code was found in the picture: photograph the code squarely, filling most of the frame")]
    NoQr,
    #[error(transparent)]
    Code(#[from] CodeError),
    #[error("the issuance log's receipt in this PDF: {0}")]
    Log(#[from] LogProblem),
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub document: Document,
    /// The code as read.
    pub code: String,
    /// The log entry the PDF's receipt proves (index, and the size of the checkpoint), when
    /// there is a receipt and the log key is at hand.
    pub logged: Option<(u64, u64)>,
    /// A receipt was there but no log key to check it with.
    pub unchecked_receipt: bool,
}

/// The code and the receipt in an upload: a PDF, a PNG or JPEG of the QR code, or the text.
pub fn read(upload: &[u8]) -> Result<(String, Option<Receipt>), VerifyError> {
    if upload.starts_with(b"%PDF-") {
        return Ok((pdf::code_of(upload)?, pdf::receipt_of(upload)?));
    }
    if upload.starts_with(b"\x89PNG") || upload.starts_with(b"\xff\xd8\xff") {
        return Ok((qr_of(upload)?, None));
    }
    Ok((String::from_utf8_lossy(upload).trim().to_string(), None))
}

/// The text of the first QR code in a picture that reads. Why a decoder here: reading a
/// photo of the printed code is what a verifier without the PDF has (rqrr finds and decodes
/// the code; the `image` crate turns PNG or JPEG into grey levels for it).
fn qr_of(picture: &[u8]) -> Result<String, VerifyError> {
    let img = image::load_from_memory(picture).map_err(|e| VerifyError::Picture(e.to_string()))?.to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| img.get_pixel(x as u32, y as u32).0[0]);
    prepared.detect_grids().into_iter().find_map(|g| g.decode().ok().map(|(_, text)| text)).ok_or(VerifyError::NoQr)
}

/// Checks an upload with the issuers' keys and, when given, the log's key.
pub fn check(upload: &[u8], keys: &IssuerKeys, log: Option<&LogKey>) -> Result<Checked, VerifyError> {
    let (code, receipt) = read(upload)?;
    check_read(code, receipt.as_ref(), keys, log)
}

/// [`check`] of a code and receipt already [`read`] from an upload.
pub fn check_read(
    code: String,
    receipt: Option<&Receipt>,
    keys: &IssuerKeys,
    log: Option<&LogKey>,
) -> Result<Checked, VerifyError> {
    let document = keys.open(&code)?;
    let logged = match (receipt, log) {
        (Some(r), Some(k)) => Some((r.index, r.verify(&document, &code, &k.vkey)?)),
        _ => None,
    };
    let unchecked_receipt = receipt.is_some() && log.is_none();
    Ok(Checked { document, code, logged, unchecked_receipt })
}

impl Document {
    /// What a verifier shows of the document, a line each, in Japanese with English.
    pub fn summary(&self) -> Vec<String> {
        let channel = match &self.channel {
            Channel::Kiosk(k) => format!("コンビニ交付 / at a store's kiosk ({k})"),
            Channel::Counter(c) => format!("窓口交付 / at the counter ({c})"),
        };
        let mut out = vec![
            format!("発行元 / issuer: {} ({})", self.issuer.name, self.issuer.code),
            format!("証明書 / document: {} / {}", self.kind.ja(), self.kind.en()),
            format!("証明書番号 / serial: {}", self.serial),
            format!("交付日時 / issued: {} JST, {channel}", self.issued_jst()),
        ];
        for p in &self.people {
            let born = pdf::wareki_of(&p.birth);
            out.push(format!(
                "対象 / for: {} ({}), {born}生 (born {})",
                p.name,
                p.kana.as_deref().unwrap_or("-"),
                p.birth
            ));
        }
        out.extend(self.lines.iter().map(|l| format!("{}: {}", l.label, l.value)));
        out
    }
}

impl Checked {
    /// The log line of a verifier's answer.
    pub fn log_line(&self) -> String {
        match self.logged {
            Some((i, size)) => format!(
                "発行記録 / logged: J-LIS の発行記録ログの第 {i} 項に記録されています（{size} 項の時点で証明） / entry {i} of J-LIS's issuance log, proved in its checkpoint of {size} entries"
            ),
            None if self.unchecked_receipt => {
                "発行記録 / logged: 記録の証明がありますが、J-LIS の鍵がないため確かめていません / a log receipt is present but not checked: no log key at hand".into()
            }
            None => "発行記録 / logged: この入力には記録の証明が含まれていません（PDF に含まれます） / no log receipt in what was given (the PDF carries it)".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IssuerKey;

    /// A picture of `text`'s QR code as a camera might give it: scaled, with a margin, a grey
    /// background and dark-grey modules.
    fn photo(text: &str, format: image::ImageFormat) -> Vec<u8> {
        let qr = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let (w, scale, margin) = (qr.width() as u32, 5, 30);
        let side = w * scale + 2 * margin;
        let img = image::GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = (x.wrapping_sub(margin) / scale, y.wrapping_sub(margin) / scale);
            let dark =
                x >= margin && y >= margin && mx < w && my < w && qr[(mx as usize, my as usize)] == qrcode::Color::Dark;
            image::Luma([if dark { 40 } else { 220 }])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_photo_of_the_code_checks_as_the_pdf_does() {
        let key = IssuerKey::from_pkcs8("131016", &IssuerKey::generate().unwrap()).unwrap();
        let mut keys = IssuerKeys::default();
        keys.add("131016", "千代田区長", key.public());
        let doc = crate::code::tests::sample();
        let code = key.sign(&doc).unwrap();
        for format in [image::ImageFormat::Png, image::ImageFormat::Jpeg] {
            let checked = check(&photo(&code, format), &keys, None).unwrap();
            assert_eq!(checked.document, doc, "{format:?}");
            assert_eq!(checked.logged, None);
        }
        let blank = {
            let mut out = std::io::Cursor::new(Vec::new());
            image::GrayImage::from_pixel(200, 200, image::Luma([220]))
                .write_to(&mut out, image::ImageFormat::Png)
                .unwrap();
            out.into_inner()
        };
        assert_eq!(check(&blank, &keys, None), Err(VerifyError::NoQr));
        assert!(matches!(check(b"\x89PNG broken", &keys, None), Err(VerifyError::Picture(_))));
        let summary = doc.summary();
        assert!(summary.iter().any(|l| l.contains("千代田区長 (131016)")), "{summary:?}");
        assert!(summary.iter().any(|l| l.contains("令和")), "{summary:?}");
    }
}
