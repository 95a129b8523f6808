//! Names as bank transfers carry them: half-width katakana (JIS X 0201), upper-case letters,
//! digits, space and `( ) - . / ,`. Small kana are written large and voiced marks separately,
//! as the banks' own lists do (キョウ → ｷﾖｳ, ガ → ｶﾞ).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KanaError {
    #[error(
        "{0:?} cannot be written in a bank transfer (half-width katakana, A–Z, 0–9, space and ( ) - . / , only); give the name in katakana"
    )]
    Char(char),
    #[error("the name is empty")]
    Empty,
}

const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";
const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ";

fn base(c: char) -> Option<char> {
    FULL.chars().position(|f| f == c).and_then(|i| HALF.chars().nth(i))
}

/// One full-width katakana (or half-width already) as half-width, with its mark if voiced.
fn kana(c: char, out: &mut String) -> bool {
    const SMALL: [(char, char); 12] = [
        ('ァ', 'ア'),
        ('ィ', 'イ'),
        ('ゥ', 'ウ'),
        ('ェ', 'エ'),
        ('ォ', 'オ'),
        ('ャ', 'ヤ'),
        ('ュ', 'ユ'),
        ('ョ', 'ヨ'),
        ('ッ', 'ツ'),
        ('ヮ', 'ワ'),
        ('ヵ', 'カ'),
        ('ヶ', 'ケ'),
    ];
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
    const VOICED_BASE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
    const SEMI: &str = "パピプペポ";
    const SEMI_BASE: &str = "ハヒフヘホ";
    let c = SMALL.iter().find(|s| s.0 == c).map_or(c, |s| s.1);
    let c = match c {
        'ヰ' => 'イ',
        'ヱ' => 'エ',
        _ => c,
    };
    if let Some(h) = base(c) {
        out.push(h);
        return true;
    }
    if let Some(i) = VOICED.chars().position(|v| v == c) {
        out.extend(VOICED_BASE.chars().nth(i).and_then(base));
        out.push('ﾞ');
        return true;
    }
    if c == 'ヴ' {
        out.push_str("ｳﾞ");
        return true;
    }
    if let Some(i) = SEMI.chars().position(|v| v == c) {
        out.extend(SEMI_BASE.chars().nth(i).and_then(base));
        out.push('ﾟ');
        return true;
    }
    // Already half-width: the large ones and the marks (the small ones are written large).
    if ('\u{FF66}'..='\u{FF9F}').contains(&c) {
        let small = "ｧｨｩｪｫｬｭｮｯ";
        let large = "ｱｲｳｴｵﾔﾕﾖﾂ";
        out.push(small.chars().position(|s| s == c).and_then(|i| large.chars().nth(i)).unwrap_or(c));
        return true;
    }
    false
}

/// `name` as a bank transfer writes it. Hiragana and full-width letters are converted; kanji
/// and other characters are refused, naming the first.
pub fn to_zengin(name: &str) -> Result<String, KanaError> {
    let mut out = String::with_capacity(name.len());
    for c in myna_text::to_katakana(name.trim()).chars() {
        // Full-width ASCII (Ａ, １, （) to ASCII.
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            'ー' | '‐' | '−' | '―' => '-',
            '・' => '.',
            _ => c,
        };
        let c = c.to_ascii_uppercase();
        if c.is_ascii_uppercase() || c.is_ascii_digit() || " ()-./,".contains(c) {
            out.push(c);
        } else if !kana(c, &mut out) {
            return Err(KanaError::Char(c));
        }
    }
    if out.trim().is_empty() {
        return Err(KanaError::Empty);
    }
    Ok(out)
}

/// Whether two names are the same person's in a transfer: equal once written as a transfer
/// writes them, spaces aside (the registry keeps a space between surname and given name; an
/// account holder's name may have none).
pub fn same_name(a: &str, b: &str) -> bool {
    match (to_zengin(a), to_zengin(b)) {
        (Ok(a), Ok(b)) => a.replace(' ', "") == b.replace(' ', ""),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_written_as_banks_write_them() {
        assert_eq!(to_zengin("ヤマダ タロウ").unwrap(), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(to_zengin("きょうこ").unwrap(), "ｷﾖｳｺ");
        assert_eq!(to_zengin("パーク　ジョン").unwrap(), "ﾊﾟ-ｸ ｼﾞﾖﾝ");
        assert_eq!(to_zengin("ｶ)ﾏｲﾅ").unwrap(), "ｶ)ﾏｲﾅ");
        assert_eq!(to_zengin("ｷｮｳｺ").unwrap(), "ｷﾖｳｺ", "small half-width kana written large");
        assert_eq!(to_zengin("Ｓｍｉｔｈ").unwrap(), "SMITH");
        assert_eq!(to_zengin("山田"), Err(KanaError::Char('山')));
        assert_eq!(to_zengin("  "), Err(KanaError::Empty));
        assert!(same_name("ヤマダ タロウ", "ﾔﾏﾀﾞﾀﾛｳ"));
        assert!(!same_name("ヤマダ タロウ", "ヤマダ ハナコ"));
    }
}
