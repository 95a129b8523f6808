//! The numbered part after the town: 丁目, 番地 / 番, 号, in kanji, Arabic, full-width or as
//! hyphens. "2丁目1番地2号" = "2-1-2" = "二丁目一番地二号".

use crate::fold::Folded;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Chome,
    Ban,
    Go,
    Dash,
    End,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Blocks {
    pub chome: Option<u64>,
    /// 番地 and 号 (and further branch numbers), in order.
    pub numbers: Vec<u64>,
    /// What follows the numbers (building, room), as written.
    pub tail: String,
}

fn starts(key: &[char], pos: usize, word: &str) -> bool {
    word.chars().enumerate().all(|(i, w)| key.get(pos + i) == Some(&w))
}

fn skip_ws(key: &[char], mut pos: usize) -> usize {
    while key.get(pos).is_some_and(|c| c.is_whitespace()) {
        pos += 1;
    }
    pos
}

fn read_number(key: &[char], mut pos: usize) -> Option<(u64, usize)> {
    let start = pos;
    let mut v: u64 = 0;
    while let Some(d) = key.get(pos).and_then(|c| c.to_digit(10)) {
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
        pos += 1;
    }
    (pos > start).then_some((v, pos))
}

fn read_sep(key: &[char], pos: usize) -> (Sep, usize) {
    let pos = skip_ws(key, pos);
    for (word, sep) in [("丁目", Sep::Chome), ("番地", Sep::Ban), ("番", Sep::Ban), ("号", Sep::Go), ("-", Sep::Dash)]
    {
        if starts(key, pos, word) {
            return (sep, pos + word.chars().count());
        }
    }
    // "1番地の2": の between numbers reads as a hyphen.
    if key.get(pos) == Some(&'ノ') && key.get(pos + 1).is_some_and(|c| c.is_ascii_digit()) {
        return (Sep::Dash, pos + 1);
    }
    (Sep::End, pos)
}

/// Splits the text after a town into its block numbers and the rest.
pub(crate) fn parse(src: &[char], town_has_chome: bool) -> Blocks {
    let f = Folded::new(src, true);
    let key = &f.key;
    let mut nums: Vec<(u64, Sep)> = Vec::new();
    let mut pos = skip_ws(key, 0);
    let mut consumed = 0usize; // key chars surely part of the numbers
    while nums.len() < 4 {
        let Some((n, after_num)) = read_number(key, pos) else { break };
        let (sep, after_sep) = read_sep(key, after_num);
        nums.push((n, sep));
        consumed = match sep {
            Sep::Dash | Sep::End => after_num,
            _ => after_sep,
        };
        if matches!(sep, Sep::Go | Sep::End) {
            break;
        }
        pos = skip_ws(key, after_sep);
        // A word separator may be followed by a connecting hyphen or の before the next number.
        if sep != Sep::Dash {
            let (s2, p2) = read_sep(key, pos);
            if s2 == Sep::Dash {
                pos = p2;
            }
        }
    }
    let src_consumed = if consumed == 0 { 0 } else { f.src_end.get(consumed - 1).copied().unwrap_or(src.len()) };
    let tail: String = src.get(src_consumed..).unwrap_or_default().iter().collect();
    let tail = tail.trim().to_string();
    let Some(&(first, first_sep)) = nums.first() else {
        return Blocks { chome: None, numbers: Vec::new(), tail };
    };
    let is_chome = first_sep == Sep::Chome || (town_has_chome && first_sep == Sep::Dash && nums.len() >= 2);
    let (chome, rest) = if is_chome { (Some(first), &nums[1..]) } else { (None, &nums[..]) };
    Blocks { chome, numbers: rest.iter().map(|&(n, _)| n).collect(), tail }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str, chome: bool) -> Blocks {
        parse(&s.chars().collect::<Vec<_>>(), chome)
    }

    #[test]
    fn spellings_of_one_block_agree() {
        let want = Blocks { chome: Some(2), numbers: vec![1, 2], tail: String::new() };
        for s in ["2丁目1番地2号", "2-1-2", "二丁目一番地二号", "2丁目1-2", "2丁目1番2号", "二丁目1番地の2"]
        {
            assert_eq!(p(s, true), want, "{s}");
        }
    }

    #[test]
    fn building_and_room_are_kept() {
        let b = p("2丁目1番2号 霞が関ビル101号室", true);
        assert_eq!(b.chome, Some(2));
        assert_eq!(b.numbers, vec![1, 2]);
        assert_eq!(b.tail, "霞が関ビル101号室");
        let b = p("123番地 メゾン中野", false);
        assert_eq!((b.chome, b.numbers, b.tail.as_str()), (None, vec![123], "メゾン中野"));
    }

    #[test]
    fn no_numbers_keeps_everything() {
        assert_eq!(p("字北", false).tail, "字北");
    }
}
