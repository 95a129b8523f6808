//! Kanji numerals ⇄ Arabic: 二十五 = 25, 壱〇弐 = 102, 千二百三十四 = 1234, 三万 = 30000.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumeralError {
    #[error("no numeral given")]
    Empty,
    #[error("{0:?} is not a kanji or Arabic numeral")]
    NotANumeral(char),
    #[error("the number is too large")]
    Overflow,
}

fn digit(c: char) -> Option<u64> {
    Some(match c {
        '〇' | '零' | '０' | '0' => 0,
        '一' | '壱' | '壹' | '１' | '1' => 1,
        '二' | '弐' | '貳' | '２' | '2' => 2,
        '三' | '参' | '參' | '３' | '3' => 3,
        '四' | '肆' | '４' | '4' => 4,
        '五' | '伍' | '５' | '5' => 5,
        '六' | '陸' | '６' | '6' => 6,
        '七' | '漆' | '７' | '7' => 7,
        '八' | '捌' | '８' | '8' => 8,
        '九' | '玖' | '９' | '9' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u64> {
    match c {
        '十' | '拾' => Some(10),
        '百' | '佰' => Some(100),
        '千' | '阡' | '仟' => Some(1000),
        _ => None,
    }
}

fn big_unit(c: char) -> Option<u64> {
    match c {
        '万' | '萬' => Some(10_000),
        '億' => Some(100_000_000),
        _ => None,
    }
}

/// A run without unit characters (十百千万) as one ASCII digit per character, or `None`
/// when the run has units and must be read by value.
pub(crate) fn digit_by_digit(run: &[char]) -> Option<Vec<char>> {
    run.iter().map(|&c| digit(c).and_then(|d| char::from_digit(d as u32, 10))).collect()
}

/// True for every character [`kanji_to_arabic`] understands.
pub fn is_numeral(c: char) -> bool {
    digit(c).is_some() || small_unit(c).is_some() || big_unit(c).is_some()
}

/// Reads a kanji (or mixed) numeral. With unit characters (十百千万) it is read by value
/// (二十五 = 25); without them digit by digit (壱〇弐 = 102, 二〇二四 = 2024).
pub fn kanji_to_arabic(s: &str) -> Result<u64, NumeralError> {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.is_empty() {
        return Err(NumeralError::Empty);
    }
    if let Some(&c) = chars.iter().find(|&&c| !is_numeral(c)) {
        return Err(NumeralError::NotANumeral(c));
    }
    let positional = chars.iter().any(|&c| small_unit(c).is_some() || big_unit(c).is_some());
    if !positional {
        return chars.iter().try_fold(0u64, |acc, &c| {
            acc.checked_mul(10).and_then(|v| v.checked_add(digit(c).unwrap_or(0))).ok_or(NumeralError::Overflow)
        });
    }
    let (mut total, mut section, mut pending) = (0u64, 0u64, None::<u64>);
    for &c in &chars {
        if let Some(d) = digit(c) {
            // Digits inside a positional numeral may run together (二〇 in 二〇万 is rare but seen).
            pending = Some(
                pending.unwrap_or(0).checked_mul(10).and_then(|p| p.checked_add(d)).ok_or(NumeralError::Overflow)?,
            );
        } else if let Some(u) = small_unit(c) {
            section = section
                .checked_add(pending.take().unwrap_or(1).checked_mul(u).ok_or(NumeralError::Overflow)?)
                .ok_or(NumeralError::Overflow)?;
        } else if let Some(u) = big_unit(c) {
            let part = section.checked_add(pending.take().unwrap_or(0)).ok_or(NumeralError::Overflow)?;
            total = total
                .checked_add(part.max(1).checked_mul(u).ok_or(NumeralError::Overflow)?)
                .ok_or(NumeralError::Overflow)?;
            section = 0;
        }
    }
    total.checked_add(section).and_then(|t| t.checked_add(pending.unwrap_or(0))).ok_or(NumeralError::Overflow)
}

/// Writes a number in kanji by value: 25 → 二十五, 1234 → 千二百三十四, 0 → 〇.
pub fn arabic_to_kanji(n: u64) -> String {
    const D: [char; 10] = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    fn below_10000(mut n: u64, out: &mut String) {
        for (unit, ch) in [(1000, '千'), (100, '百'), (10, '十')] {
            let q = n / unit;
            if q > 0 {
                if q > 1 {
                    out.push(D[q as usize]);
                }
                out.push(ch);
            }
            n %= unit;
        }
        if n > 0 {
            out.push(D[n as usize]);
        }
    }
    if n == 0 {
        return "〇".into();
    }
    let mut out = String::new();
    let mut rest = n;
    for (unit, ch) in [(1_0000_0000_0000u64, '兆'), (1_0000_0000, '億'), (1_0000, '万')] {
        let q = rest / unit;
        if q > 0 {
            below_10000(q, &mut out);
            out.push(ch);
        }
        rest %= unit;
    }
    below_10000(rest, &mut out);
    out
}

/// Replaces every run of kanji numerals in `s` with Arabic digits, leaving other text.
/// Used on both sides of a comparison (千代田 becomes 1000代田 in both), never for display.
pub fn replace_kanji_numerals(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if is_numeral(chars[i]) && !chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && is_numeral(chars[i]) && !chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            match kanji_to_arabic(&run) {
                Ok(v) => out.push_str(&v.to_string()),
                Err(_) => out.push_str(&run),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kanji_numerals() {
        for (s, v) in [
            ("二十五", 25),
            ("壱〇弐", 102),
            ("千二百三十四", 1234),
            ("十", 10),
            ("百一", 101),
            ("三万", 30000),
            ("一万二千", 12000),
            ("二〇二四", 2024),
            ("拾", 10),
            ("5", 5),
        ] {
            assert_eq!(kanji_to_arabic(s), Ok(v), "{s}");
        }
        assert_eq!(kanji_to_arabic("二十x"), Err(NumeralError::NotANumeral('x')));
        assert_eq!(kanji_to_arabic(""), Err(NumeralError::Empty));
    }

    #[test]
    fn writes_kanji_numerals() {
        for (v, s) in [(25, "二十五"), (1234, "千二百三十四"), (10, "十"), (30000, "三万"), (0, "〇"), (101, "百一")]
        {
            assert_eq!(arabic_to_kanji(v), s);
            assert_eq!(kanji_to_arabic(s), Ok(v));
        }
    }

    #[test]
    fn replaces_runs_in_text() {
        assert_eq!(replace_kanji_numerals("二丁目十一番地三号"), "2丁目11番地3号");
    }
}

/// Digits grouped by thousands with commas, as amounts are written (`816000` → `816,000`).
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An amount in yen as Japanese readers expect it: `¥816,000`.
pub fn yen(amount: u64) -> String {
    format!("¥{}", group_thousands(&amount.to_string()))
}

#[cfg(test)]
mod yen_tests {
    #[test]
    fn amounts_are_grouped() {
        assert_eq!(super::yen(816_000), "¥816,000");
        assert_eq!(super::yen(5), "¥5");
        assert_eq!(super::yen(1_000), "¥1,000");
    }
}
