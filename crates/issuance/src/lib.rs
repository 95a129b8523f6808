//! Documents a municipality issues (コンビニ交付 and the counter; issue 21), without I/O: the
//! kinds and options (`kind.rs`), what a municipality offers and when (`offer.rs`), the
//! document itself (`document.rs`), the signed code it carries (`code.rs`: COSE_Sign1, zlib,
//! base45), the PDF it is printed from, with the code as a QR code (`pdf.rs`), and the
//! transparency log's leaves and receipts (`log.rs`), a registered seal's impression
//! (`seal.rs`), and the check any verifier makes of a PDF,
//! a photo of its code or the code's text (`verify.rs`).

mod code;
mod document;
mod kind;
pub mod log;
mod offer;
pub mod pdf;
pub mod seal;
pub mod verify;

/// Japan's time (UTC+9): the hours, dates and 年度 documents are written in.
pub const JST: time::UtcOffset = time::macros::offset!(+9);

pub use code::{CodeError, IssuerKey, IssuerKeys, KeyList, LogKey, PREFIX, PublishedKey};
pub use document::{Channel, Document, Issuer, Line, Person};
pub use kind::{DocKind, Options, assessed_year, fiscal_year_ja};
pub use offer::{Offered, Offering, Refusal};

/// A Unix time's date in Japan, in the era calendar (令和8年12月7日), as forms write it.
pub fn wareki_date(at: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(at) {
        Ok(t) => {
            let t = t.to_offset(JST);
            myna_text::wareki(t.year(), u8::from(t.month()), t.day())
        }
        Err(_) => at.to_string(),
    }
}
