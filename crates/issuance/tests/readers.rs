//! The printed document read by tools independent of ours: poppler's `pdftotext` finds its
//! Japanese text, and zbar's `zbarimg` decodes the QR code from the page as poppler renders
//! it at 300 dpi, and that code opens to the document (Debian's poppler-utils and zbar-tools,
//! which scripts/test.sh installs).

use std::process::Command;

use myna_issuance::{Channel, DocKind, Document, Issuer, IssuerKey, IssuerKeys, Line, Person, pdf};

fn sample() -> Document {
    Document {
        serial: "131016-20261207-000042".into(),
        kind: DocKind::ResidentCopy,
        issuer: Issuer { code: "131016".into(), name: "千代田区長".into() },
        issued_at: 1_796_600_000,
        channel: Channel::Kiosk("store-0007".into()),
        people: vec![Person {
            name: "髙橋 一郎".into(),
            kana: Some("タカハシ イチロウ".into()),
            birth: "1985-11-03".into(),
            sex: Some("男".into()),
            relationship: Some("世帯主".into()),
            number: None,
        }],
        lines: vec![
            Line { label: "住所".into(), value: "東京都千代田区永田町一丁目7番1号".into() },
            Line { label: "住民となった年月日".into(), value: "令和2年4月1日".into() },
        ],
    }
}

fn tool(name: &str) -> Command {
    assert!(
        Command::new(name).arg("-v").output().is_ok(),
        "{name} is needed (Debian's poppler-utils and zbar-tools; scripts/test.sh installs them)"
    );
    Command::new(name)
}

#[test]
fn poppler_reads_the_text_and_zbar_the_code_of_the_printed_pdf() {
    let key = IssuerKey::from_pkcs8("131016", &IssuerKey::generate().unwrap()).unwrap();
    let mut keys = IssuerKeys::default();
    keys.add("131016", "千代田区長", key.public());
    let doc = sample();
    let code = key.sign(&doc).unwrap();
    let bytes = pdf::render(&doc, &code, None).unwrap();
    let dir = std::env::temp_dir().join(format!("myna-issuance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.pdf");
    std::fs::write(&file, &bytes).unwrap();

    let text = tool("pdftotext").arg(&file).arg("-").output().unwrap();
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    let text = String::from_utf8(text.stdout).unwrap();
    for expected in ["住民票の写し", "髙橋 一郎", "昭和60年11月3日", "千代田区長", "131016-20261207-000042", "令和"]
    {
        assert!(text.contains(expected), "{expected:?} not in the extracted text:\n{text}");
    }

    let png = dir.join("page");
    let render = tool("pdftoppm").args(["-r", "300", "-png", "-singlefile"]).arg(&file).arg(&png).output().unwrap();
    assert!(render.status.success(), "{}", String::from_utf8_lossy(&render.stderr));
    let scan = tool("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(dir.join("page.png"))
        .output()
        .unwrap();
    assert!(scan.status.success(), "zbar found no code: {}", String::from_utf8_lossy(&scan.stderr));
    let scanned = String::from_utf8(scan.stdout).unwrap();
    assert_eq!(scanned.trim_end(), code, "the printed code is the signed one");
    assert_eq!(keys.open(scanned.trim_end()).unwrap(), doc);
    if std::env::var_os("MYNA_KEEP_PDF").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A 印鑑登録証明書's impression is a real image of the PDF: poppler lists it, 160 × 160 grey.
#[test]
fn poppler_finds_the_seal_impression_of_a_seal_certificate() {
    let scan = {
        let img = image::GrayImage::from_fn(300, 300, |x, y| {
            let d = ((f64::from(x) - 150.0).powi(2) + (f64::from(y) - 150.0).powi(2)).sqrt();
            image::Luma([if d < 80.0 && d > 65.0 { 30 } else { 245 }])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let impression = myna_issuance::seal::Impression::from_picture(&scan).unwrap();
    let key = IssuerKey::from_pkcs8("131016", &IssuerKey::generate().unwrap()).unwrap();
    let doc = Document { kind: DocKind::SealRegistration, ..sample() };
    let code = key.sign(&doc).unwrap();
    let dir = std::env::temp_dir().join(format!("myna-seal-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seal.pdf");
    std::fs::write(&file, pdf::render_with(&doc, &code, None, Some(&impression)).unwrap()).unwrap();
    let out = tool("pdfimages").arg("-list").arg(&file).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = list.lines().skip(2).collect();
    assert_eq!(rows.len(), 1, "{list}");
    let cols: Vec<&str> = rows[0].split_whitespace().collect();
    assert_eq!((cols[3], cols[4], cols[5]), ("160", "160", "gray"), "{list}");
    let text = tool("pdftotext").arg(&file).arg("-").output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("印鑑登録証明書"));
    let _ = std::fs::remove_dir_all(&dir);
}
