//! Hiragana ⇄ katakana. The two scripts sit 0x60 apart in Unicode for the letters they share.

const HIRA: std::ops::RangeInclusive<char> = '\u{3041}'..='\u{3096}';
const KATA: std::ops::RangeInclusive<char> = '\u{30A1}'..='\u{30F6}';

fn shift(c: char, up: bool) -> char {
    let v = c as u32;
    char::from_u32(if up { v + 0x60 } else { v - 0x60 }).unwrap_or(c)
}

pub(crate) fn kata_char(c: char) -> char {
    if HIRA.contains(&c) { shift(c, true) } else { c }
}

/// Hiragana letters become katakana; everything else is kept.
pub fn to_katakana(s: &str) -> String {
    s.chars().map(kata_char).collect()
}

/// Katakana letters become hiragana (ヷ–ヺ and ー have no hiragana twin and are kept).
pub fn to_hiragana(s: &str) -> String {
    s.chars().map(|c| if KATA.contains(&c) { shift(c, false) } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(to_katakana("やまだ たろう"), "ヤマダ タロウ");
        assert_eq!(to_hiragana("ヤマダ・タロウー"), "やまだ・たろうー");
        assert_eq!(to_hiragana(&to_katakana("ぢゃヴぁ")), "ぢゃゔぁ");
    }
}
