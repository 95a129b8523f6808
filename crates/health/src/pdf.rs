//! PDF downloads of the medication list and the medical expenses, as the portal's 「PDFを
//! ダウンロードする」 gives them: A4 pages of Japanese text.
//!
//! The text uses one of the PDF standard's Japanese fonts by reference (Adobe-Japan1 with the
//! `UniJIS-UTF16-H` CMap, as every Japanese PDF reader provides), so the file carries no font
//! and stays a few kilobytes; the objects are written with `pdf-writer`.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, types::CidFontType, types::FontFlags, types::SystemInfo};

use crate::{Expense, Medication};

const FONT: Name = Name(b"F1");
const BASE: Name = Name(b"KozMinPr6N-Regular");
const SIZE: f32 = 9.0;
const LEADING: f32 = 14.0;
const TOP: f32 = 800.0;
const LINES_PER_PAGE: usize = 52;

/// UTF-16BE, which the `UniJIS-UTF16-H` CMap reads.
fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// A document of `title` and `lines`, broken into A4 pages with the title and page number on each.
pub fn document(title: &str, lines: &[String]) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let (catalog, tree, font, cid, descriptor) = (Ref::new(1), Ref::new(2), Ref::new(3), Ref::new(4), Ref::new(5));
    let pages: Vec<&[String]> = if lines.is_empty() { vec![&[][..]] } else { lines.chunks(LINES_PER_PAGE).collect() };
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type0_font(font)
        .base_font(Name(b"KozMinPr6N-Regular-UniJIS-UTF16-H"))
        .encoding_predefined(Name(b"UniJIS-UTF16-H"))
        .descendant_font(cid);
    let mut c = pdf.cid_font(cid);
    c.subtype(CidFontType::Type0)
        .base_font(BASE)
        .system_info(SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Japan1"), supplement: 6 })
        .font_descriptor(descriptor)
        .default_width(1000.0);
    // Half-width Latin letters and digits (CIDs 1–95 of Adobe-Japan1).
    c.widths().same(1, 95, 500.0);
    drop(c);
    pdf.font_descriptor(descriptor)
        .name(BASE)
        .flags(FontFlags::SYMBOLIC | FontFlags::SERIF)
        .bbox(Rect::new(-437.0, -340.0, 1147.0, 1317.0))
        .italic_angle(0.0)
        .ascent(880.0)
        .descent(-120.0)
        .cap_height(742.0)
        .stem_v(80.0);
    for (i, chunk) in pages.iter().enumerate() {
        let content_id = Ref::new(first_page + 2 * i as i32 + 1);
        let mut content = Content::new();
        content.begin_text();
        content.set_font(FONT, SIZE + 4.0);
        content.next_line(40.0, TOP);
        content.show(Str(&utf16(&format!("{title}  （{}/{}ページ）", i + 1, pages.len()))));
        content.set_font(FONT, SIZE);
        content.next_line(0.0, -LEADING * 1.8);
        for line in chunk.iter() {
            content.show(Str(&utf16(line)));
            content.next_line(0.0, -LEADING);
        }
        content.end_text();
        let data = content.finish();
        let mut page = pdf.page(page_ids[i]);
        page.parent(tree).media_box(Rect::new(0.0, 0.0, 595.0, 842.0)).contents(content_id);
        page.resources().fonts().pair(FONT, font);
        drop(page);
        pdf.stream(content_id, &data);
    }
    pdf.finish()
}

/// 薬剤情報一覧, one dispensed medicine per line (the seed's PDF layout, as text).
pub fn medication_pdf(rows: &[Medication]) -> Vec<u8> {
    let saving: u32 = rows.iter().filter_map(|m| m.generic_saving).sum();
    let mut lines = vec![format!("ジェネリック医薬品に切り替えた場合の削減可能額の合計: {saving}円"), String::new()];
    for m in rows {
        lines.push(format!("{}  {}（{}）  {}", m.dispensed_on, m.pharmacy, m.prescriber, m.dispensing.ja()));
        let money = match (m.self_pay, m.generic_saving) {
            (Some(p), Some(s)) => format!("  自己負担相当額 {p}円  削減可能額 {s}円"),
            (Some(p), None) => format!("  自己負担相当額 {p}円"),
            _ => String::new(),
        };
        lines.push(format!("    {} 【{}】 {} {}日分{money}", m.drug, m.usage, m.quantity, m.days));
    }
    document("薬剤情報一覧", &lines)
}

/// 医療費通知情報, one month at one facility per line, with the total paid.
pub fn expenses_pdf(rows: &[Expense]) -> Vec<u8> {
    let paid: u64 = rows.iter().map(|e| u64::from(e.paid)).sum();
    let mut lines = vec![format!("窓口負担相当額の合計: {paid}円"), String::new()];
    for e in rows {
        lines.push(format!(
            "{}  {}  {}  {}日  医療費の総額 {}円  窓口負担相当額 {}円",
            e.month, e.facility, e.kind, e.days, e.total, e.paid
        ));
    }
    document("医療費通知情報", &lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_with_japanese_text_and_pages() {
        let e = Expense {
            month: "2026-01".into(),
            facility: "千代田オン資格クリニック".into(),
            kind: "外来".into(),
            days: 1,
            total: 8600,
            paid: 2580,
        };
        let pdf = expenses_pdf(&vec![e; 120]);
        if let Ok(out) = std::env::var("MYNA_PDF_OUT") {
            std::fs::write(out, &pdf).unwrap();
        }
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/UniJIS-UTF16-H") && text.contains("(Japan1)"),
            "the Japanese CMap and collection: {}",
            &text[..text.len().min(1500)]
        );
        assert_eq!(
            text.matches("/Type /Page").count() - text.matches("/Type /Pages").count(),
            3,
            "121 lines over three pages"
        );
        // The facility's name is in the page's content stream as UTF-16BE (a hex string).
        let needle: String = utf16("千代田オン資格クリニック").iter().map(|b| format!("{b:02X}")).collect();
        assert!(text.to_uppercase().contains(&needle), "the facility's name is shown");
    }
}
