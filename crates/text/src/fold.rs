//! Width normalization and the character fold that matching keys are built from.

use unicode_normalization::UnicodeNormalization;

use crate::{kana::kata_char, numerals, variants::new_form};

/// NFKC (full-width ASCII → ASCII, half-width katakana → full-width), and the many dashes
/// people type between numbers to '-'.
pub fn normalize_width(s: &str) -> String {
    s.nfkc()
        .map(|c| match c {
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2500}' | '\u{2501}' | '\u{FE63}' | '\u{FF0D}' => '-',
            c => c,
        })
        .collect()
}

/// One character folded for comparison: new form, katakana, and the spellings that official
/// names treat as one (ヶ/ケ/が/ガ in 霞が関, 之/ノ/の in 丸の内, ヰ/ヱ). Char for char, so a
/// match on folded text maps back to the same positions in the source.
pub fn fold_char(c: char) -> char {
    match new_form(kata_char(c)) {
        'ヶ' | 'ヵ' | 'ガ' => 'ケ',
        '之' | 'ノ' => 'ノ',
        'ヰ' => 'イ',
        'ヱ' => 'エ',
        'ヲ' => 'オ',
        'ヅ' => 'ズ',
        'ヂ' => 'ジ',
        '-' | '－' | 'ー' | '‐' => '-',
        c if c.is_ascii_lowercase() => c.to_ascii_uppercase(),
        c => c,
    }
}

/// Text folded for matching, with for each folded character the count of source characters
/// consumed once it is emitted, so a prefix match on `key` maps back to a prefix of the source.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    pub key: Vec<char>,
    pub src_end: Vec<usize>,
}

impl Folded {
    /// Folds `src` (already width-normalized) character by character; with `numerals`,
    /// runs of kanji numerals become Arabic digits first.
    pub fn new(src: &[char], numerals: bool) -> Self {
        Self::build(src, numerals, false)
    }

    /// As [`Folded::new`] with numerals, and whitespace left out of the key (people put
    /// spaces between prefecture, city and town).
    pub fn compact(src: &[char]) -> Self {
        Self::build(src, true, true)
    }

    /// Without numeral conversion and without whitespace: one key character per source
    /// character, for names that end in a numeral (政和第一) followed by a number (十番地).
    pub fn compact_plain(src: &[char]) -> Self {
        Self::build(src, false, true)
    }

    /// Number of key characters emitted from the first `src_pos` source characters.
    pub fn key_index_at(&self, src_pos: usize) -> usize {
        self.src_end.partition_point(|&e| e <= src_pos)
    }

    /// Whether a match of key characters `[start, end)` ends inside one numeral run (the
    /// next key character came from the same source characters as the last one).
    pub fn splits_run(&self, end: usize) -> bool {
        end > 0 && end < self.src_end.len() && self.src_end.get(end - 1) == self.src_end.get(end)
    }

    fn build(src: &[char], numerals: bool, drop_spaces: bool) -> Self {
        let mut f = Folded { key: Vec::with_capacity(src.len()), src_end: Vec::with_capacity(src.len()) };
        let mut i = 0;
        while i < src.len() {
            let c = src[i];
            if numerals && numerals::is_numeral(c) && !c.is_ascii_digit() {
                let start = i;
                while i < src.len() && numerals::is_numeral(src[i]) && !src[i].is_ascii_digit() {
                    i += 1;
                }
                let run: String = src[start..i].iter().collect();
                if let Some(digits) = numerals::digit_by_digit(&src[start..i]) {
                    // 一一 or 壱〇弐: one digit per character, so positions map one to one
                    // and a town name ending in a numeral (政和第一) can end mid-run.
                    for (k, d) in digits.into_iter().enumerate() {
                        f.key.push(d);
                        f.src_end.push(start + k + 1);
                    }
                    continue;
                }
                match numerals::kanji_to_arabic(&run) {
                    Ok(v) => {
                        for d in v.to_string().chars() {
                            f.key.push(d);
                            f.src_end.push(i);
                        }
                    }
                    Err(_) => {
                        for (k, &c) in src[start..i].iter().enumerate() {
                            f.key.push(fold_char(c));
                            f.src_end.push(start + k + 1);
                        }
                    }
                }
                continue;
            }
            i += 1;
            if drop_spaces && c.is_whitespace() {
                continue;
            }
            f.key.push(fold_char(c));
            f.src_end.push(i);
        }
        f
    }

    pub fn key_string(&self) -> String {
        self.key.iter().collect()
    }
}

/// A key under which two spellings of the same place or thing compare equal: NFKC, no
/// whitespace, new character forms, katakana, ヶ/が and 之/の folded, kanji numerals as digits.
pub fn match_key(s: &str) -> String {
    let src: Vec<char> = normalize_width(s).chars().filter(|c| !c.is_whitespace()).collect();
    // NFKC again: removing a space can leave a combining mark that now composes (I´ → Í).
    Folded::new(&src, true).key_string().nfkc().collect()
}

/// A key for matching personal names: width, spaces (incl. U+3000), old and variant forms,
/// hiragana/katakana. Numerals are left alone (names rarely hold numbers that mean values).
pub fn name_key(s: &str) -> String {
    normalize_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '・' && *c != '･')
        .map(|c| kata_char(new_form(c)))
        .map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c })
        .collect::<String>()
        .nfkc()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_is_normalized() {
        assert_eq!(normalize_width("ＡＢＣ１２３ｱｲｳ"), "ABC123アイウ");
        assert_eq!(normalize_width("1−2‐3"), "1-2-3");
    }

    #[test]
    fn name_keys_ignore_spelling_noise() {
        assert_eq!(name_key("齋藤　太郎"), name_key("斎藤太郎"));
        assert_eq!(name_key("やまだ たろう"), name_key("ヤマダタロウ"));
        assert_eq!(name_key("ﾔﾏﾀﾞ ﾀﾛｳ"), name_key("ヤマダ タロウ"));
        assert_ne!(name_key("山田太郎"), name_key("山田次郎"));
    }

    #[test]
    fn match_keys_fold_place_spellings() {
        assert_eq!(match_key("霞が関"), match_key("霞ヶ関"));
        assert_eq!(match_key("霞ケ関"), match_key("霞ヶ関"));
        assert_eq!(match_key("丸の内"), match_key("丸ノ内"));
        assert_eq!(match_key("二丁目"), match_key("2丁目"));
    }

    #[test]
    fn folded_maps_back_to_source() {
        let src: Vec<char> = "二十五番".chars().collect();
        let f = Folded::new(&src, true);
        assert_eq!(f.key_string(), "25番");
        assert_eq!(f.src_end, vec![3, 3, 4]);
    }
}
