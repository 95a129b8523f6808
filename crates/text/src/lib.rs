//! Japanese text as people write it: width and NFKC normalization, hiragana and katakana,
//! kanji numerals, old and variant character forms, a name-matching key, and address
//! normalization against the offline municipality and town list in `data/`. No I/O: the
//! data is compiled into the crate.

pub mod address;
mod era;
mod fold;
mod kana;
mod numerals;
mod variants;

pub use era::wareki;
pub use fold::{Folded, fold_char, match_key, name_key, normalize_width};
pub use kana::{to_hiragana, to_katakana};
pub use numerals::{NumeralError, arabic_to_kanji, group_thousands, kanji_to_arabic, replace_kanji_numerals, yen};
pub use variants::to_new_form;
