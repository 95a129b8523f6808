//! The document as a one-page A4 PDF to print: its text in Japanese, and its signed code as a
//! QR code drawn in vector (a printer at any resolution reproduces it exactly).
//!
//! The text uses a non-embedded Adobe-Japan1 font with the predefined `UniJIS-UCS2-H` encoding
//! (the PDF way to write Japanese without shipping a font: every reader substitutes its own
//! Mincho or Gothic), and a ToUnicode map so the text can be searched and extracted. A
//! character outside the Basic Multilingual Plane, which that encoding cannot carry, prints as
//! 〓 (the geta mark registers use for a character they cannot print); the signed code keeps it.
//! The code is also kept in the document information as `/MynaCode`, so `myna doc verify`
//! reads it without decoding the image, and the transparency log's receipt as `/MynaLog`.

use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr, types::SystemInfo};
use qrcode::{Color, EcLevel, QrCode};

use crate::{
    Channel, Document,
    log::Receipt,
    seal::{Impression, SIDE},
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdfError {
    #[error("the code does not fit a QR code: {0}")]
    Qr(String),
    #[error("this PDF carries no document code (/MynaCode): not a document issued by this system")]
    NoCode,
    #[error("the PDF's log receipt (/MynaLog) does not read: {0}")]
    BadReceipt(String),
}

const FONT: Name = Name(b"F1");
const SEAL: Name = Name(b"Im1");
const A4: (f32, f32) = (595.0, 842.0);
const JAPAN1: SystemInfo = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Japan1"), supplement: 6 };

/// UTF-16BE for `UniJIS-UCS2-H`, 〓 for what it cannot carry.
fn ucs2(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for c in text.chars() {
        let unit = u16::try_from(u32::from(c)).unwrap_or(0x3013);
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// The page's text lines: (x, y, size, text).
fn lines(doc: &Document) -> Vec<(f32, f32, f32, String)> {
    let mut out = Vec::new();
    let mut y = 770.0;
    out.push((60.0, y, 22.0, doc.kind.ja().to_string()));
    y -= 18.0;
    out.push((60.0, y, 9.0, doc.kind.en().to_string()));
    y -= 36.0;
    for (i, p) in doc.people.iter().enumerate() {
        let mut first = format!("{}. 氏名 {}", i + 1, p.name);
        if let Some(k) = &p.kana {
            first.push_str(&format!("（{k}）"));
        }
        out.push((60.0, y, 12.0, first));
        y -= 17.0;
        let mut second = format!("   生年月日 {}", wareki_of(&p.birth));
        if let Some(s) = &p.sex {
            second.push_str(&format!("　性別 {s}"));
        }
        if let Some(r) = &p.relationship {
            second.push_str(&format!("　続柄 {r}"));
        }
        out.push((60.0, y, 11.0, second));
        y -= 16.0;
        if let Some(n) = &p.number {
            out.push((60.0, y, 11.0, format!("   個人番号 {n}")));
            y -= 16.0;
        }
        y -= 6.0;
    }
    for l in &doc.lines {
        out.push((60.0, y, 11.0, format!("{}　{}", l.label, l.value)));
        y -= 17.0;
    }
    y -= 20.0;
    out.push((60.0, y, 11.0, doc.kind.attestation().to_string()));
    y -= 30.0;
    out.push((300.0, y, 12.0, crate::wareki_date(doc.issued_at)));
    y -= 20.0;
    out.push((300.0, y, 14.0, doc.issuer.name.clone()));
    let channel = match &doc.channel {
        Channel::Kiosk(k) => format!("コンビニ交付（{k}）"),
        Channel::Counter(_) => "窓口交付".to_string(),
    };
    out.push((60.0, 200.0, 9.0, format!("証明書番号 {}", doc.serial)));
    out.push((60.0, 186.0, 9.0, channel));
    out.push((60.0, 160.0, 8.0, "右の2次元コードは発行した市区町村の電子署名付きの内容です。".to_string()));
    out.push((
        60.0,
        148.0,
        8.0,
        "発行元と改ざんの有無は myna doc verify または検証ページで確かめられます。".to_string(),
    ));
    out.push((60.0, 136.0, 8.0, "The code holds this document signed by its issuer: verify it offline.".to_string()));
    out
}

/// 1990-04-01 as 平成2年4月1日; anything else as it is.
pub(crate) fn wareki_of(date: &str) -> String {
    let parts: Vec<&str> = date.split('-').collect();
    match parts[..] {
        [y, m, d] => match (y.parse(), m.parse(), d.parse()) {
            (Ok(y), Ok(m), Ok(d)) => myna_text::wareki(y, m, d),
            _ => date.to_string(),
        },
        _ => date.to_string(),
    }
}

/// The PDF of `doc`, carrying `code` (from [`crate::IssuerKey::sign`]) and, once the issuance
/// is logged, the log's `receipt`.
pub fn render(doc: &Document, code: &str, receipt: Option<&Receipt>) -> Result<Vec<u8>, PdfError> {
    render_with(doc, code, receipt, None)
}

/// [`render`], with a registered seal's impression printed beside the text (印鑑登録証明書).
pub fn render_with(
    doc: &Document,
    code: &str,
    receipt: Option<&Receipt>,
    impression: Option<&Impression>,
) -> Result<Vec<u8>, PdfError> {
    let qr =
        QrCode::with_error_correction_level(code.as_bytes(), EcLevel::M).map_err(|e| PdfError::Qr(e.to_string()))?;
    let (catalog, tree, page, font, cid, descriptor, unicode, content, info) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
        Ref::new(7),
        Ref::new(8),
        Ref::new(9),
    );
    let picture = Ref::new(10);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page]).count(1);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, A4.0, A4.1)).parent(tree).contents(content);
    let mut resources = p.resources();
    resources.fonts().pair(FONT, font);
    if impression.is_some() {
        resources.x_objects().pair(SEAL, picture);
    }
    resources.finish();
    p.finish();
    if let Some(imp) = impression {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(imp.pixels(), 6);
        let mut x = pdf.image_xobject(picture, &packed);
        x.filter(Filter::FlateDecode);
        x.width(SIDE as i32).height(SIDE as i32).bits_per_component(8);
        x.color_space().device_gray();
        x.finish();
    }

    let text = lines(doc);
    pdf.type0_font(font)
        .base_font(Name(b"HeiseiKakuGo-W5"))
        .encoding_predefined(Name(b"UniJIS-UCS2-H"))
        .descendant_font(cid)
        .to_unicode(unicode);
    let mut c = pdf.cid_font(cid);
    c.subtype(pdf_writer::types::CidFontType::Type0)
        .base_font(Name(b"HeiseiKakuGo-W5"))
        .system_info(JAPAN1)
        .font_descriptor(descriptor)
        .default_width(1000.0);
    // Adobe-Japan1's CIDs 1–95 are the proportional Latin glyphs the encoding maps ASCII to.
    c.widths().same(1, 95, 500.0);
    c.finish();
    pdf.font_descriptor(descriptor)
        .name(Name(b"HeiseiKakuGo-W5"))
        .flags(pdf_writer::types::FontFlags::SYMBOLIC)
        .bbox(Rect::new(-92.0, -250.0, 1010.0, 922.0))
        .italic_angle(0.0)
        .ascent(880.0)
        .descent(-120.0)
        .cap_height(700.0)
        .stem_v(80.0);
    let mut map = pdf_writer::types::UnicodeCmap::<u16>::new(Name(b"Myna-UCS2"), JAPAN1);
    let mut seen = std::collections::BTreeSet::new();
    for (_, _, _, t) in &text {
        for ch in t.chars() {
            if let Ok(unit) = u16::try_from(u32::from(ch))
                && seen.insert(unit)
            {
                map.pair(unit, ch);
            }
        }
    }
    let map = map.finish();
    pdf.cmap(unicode, map.as_slice()).name(Name(b"Myna-UCS2")).system_info(JAPAN1);

    let mut body = Content::new();
    for (x, y, size, t) in &text {
        body.begin_text().set_font(FONT, *size).next_line(*x, *y).show(Str(&ucs2(t))).end_text();
    }
    // The QR code: a dark square per module, with the quiet zone of 4 modules around it.
    let width = qr.width();
    let side = 150.0;
    let module = side / (width as f32 + 8.0);
    let (x0, y0) = (A4.0 - 60.0 - side, 110.0);
    body.set_fill_gray(0.0);
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (col, row) = ((i % width) as f32, (i / width) as f32);
            body.rect(x0 + (col + 4.0) * module, y0 + side - (row + 5.0) * module, module, module);
        }
    }
    body.fill_nonzero();
    if impression.is_some() {
        // About 25 mm square, the largest seal a register takes, to the right of the names.
        body.save_state().transform([72.0, 0.0, 0.0, 72.0, A4.0 - 60.0 - 72.0, 620.0]).x_object(SEAL).restore_state();
    }
    let body = body.finish();
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(body.as_slice(), 6);
    pdf.stream(content, &packed).filter(Filter::FlateDecode);

    let mut i = pdf.document_info(info);
    i.title(TextStr(doc.kind.ja())).producer(TextStr("myna"));
    i.pair(Name(b"MynaCode"), Str(code.as_bytes()));
    // Hex, so the receipt's newlines and signature marks need no escaping.
    let logged = receipt.map(|r| hex::encode(serde_json::to_vec(r).unwrap_or_default()));
    if let Some(hex) = &logged {
        i.pair(Name(b"MynaLog"), Str(hex.as_bytes()));
    }
    i.finish();
    pdf.set_file_id((doc.serial.as_bytes().to_vec(), doc.serial.as_bytes().to_vec()));
    Ok(pdf.finish())
}

/// A document-information string [`render`] wrote: found by its key, since its value is plain
/// ASCII with nothing a literal string escapes (base45, hex).
fn info(pdf: &[u8], key: &[u8]) -> Option<String> {
    let start = pdf.windows(key.len()).position(|w| w == key)? + key.len();
    let len = pdf[start..].iter().position(|&b| b == b')')?;
    String::from_utf8(pdf[start..start + len].to_vec()).ok()
}

/// The code a PDF made by [`render`] carries.
pub fn code_of(pdf: &[u8]) -> Result<String, PdfError> {
    info(pdf, b"/MynaCode (").ok_or(PdfError::NoCode)
}

/// The log's receipt a PDF carries: `None` when it carries none (made before the log, or
/// printed without it), an error when it carries one that does not read.
pub fn receipt_of(pdf: &[u8]) -> Result<Option<Receipt>, PdfError> {
    let Some(text) = info(pdf, b"/MynaLog (") else { return Ok(None) };
    let bytes = hex::decode(text).map_err(|e| PdfError::BadReceipt(e.to_string()))?;
    serde_json::from_slice(&bytes).map(Some).map_err(|e| PdfError::BadReceipt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IssuerKey, IssuerKeys};

    #[test]
    fn the_pdf_carries_its_code_and_the_code_its_document() {
        let key = IssuerKey::from_pkcs8("131016", &IssuerKey::generate().unwrap()).unwrap();
        let mut keys = IssuerKeys::default();
        keys.add("131016", "千代田区長", key.public());
        let doc = crate::code::tests::sample();
        let code = key.sign(&doc).unwrap();
        let pdf = render(&doc, &code, None).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        assert_eq!(code_of(&pdf).unwrap(), code);
        assert_eq!(keys.open(&code_of(&pdf).unwrap()).unwrap(), doc);
        assert_eq!(code_of(b"%PDF-1.7 nothing"), Err(PdfError::NoCode));
    }

    #[test]
    fn text_outside_the_encoding_prints_as_geta() {
        assert_eq!(ucs2("髙𠮷"), vec![0x9a, 0xd9, 0x30, 0x13]);
        assert_eq!(wareki_of("1990-04-01"), "平成2年4月1日");
    }
}
