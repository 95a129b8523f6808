//! Address normalization into prefecture, municipality, town and the rest.

use serde::{Serialize, Serializer};

use super::{
    blocks,
    gazetteer::{Gazetteer, Municipality, Town},
};
use crate::{
    fold::{Folded, match_key, normalize_width},
    numerals::arabic_to_kanji,
};

/// How far the address was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Nothing = 0,
    Prefecture = 1,
    Municipality = 2,
    Town = 3,
}

impl Serialize for Level {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(*self as u8)
    }
}

/// A normalized address. `pref + city + town + rest` holds everything the input said:
/// unrecognised text is kept in `rest`, never dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormalizedAddress {
    pub pref: String,
    /// Municipality as written officially, district included (石狩郡当別町, 札幌市中央区).
    pub city: String,
    /// Town (町字), with its 丁目 in kanji when given (霞が関二丁目).
    pub town: String,
    /// Block numbers as hyphens (1-2) and whatever follows (building, room).
    pub rest: String,
    /// The municipality's 6-digit local government code.
    pub lg_code: Option<String>,
    pub level: Level,
    /// When the prefecture was omitted and several municipalities share the name, the
    /// candidates; none of them is chosen.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ambiguous: Vec<String>,
}

impl NormalizedAddress {
    /// Municipality, town and block numbers: what must agree for two spellings to be the
    /// same address. Building and room (方書) after the block are left out, as the register's
    /// lookup does. Unrecognised addresses compare by their whole text.
    pub fn match_key(&self) -> String {
        let block = self.rest.split(' ').next().unwrap_or_default();
        match &self.lg_code {
            Some(code) => format!("{code}|{}|{block}", match_key(&self.town)),
            None => format!("?|{}", match_key(&self.to_line())),
        }
    }

    /// The whole address on one line.
    pub fn to_line(&self) -> String {
        format!("{}{}{}{}", self.pref, self.city, self.town, self.rest)
    }
}

/// Longest key among `keys` that `input` starts with, as a number of key characters.
fn prefix_len(input: &[char], keys: &[Vec<char>]) -> Option<usize> {
    keys.iter().filter(|k| !k.is_empty() && input.starts_with(k)).map(Vec::len).max()
}

/// The input, width-normalized, with its two folded forms.
struct Input {
    src: Vec<char>,
    folded: Folded,
    plain: Folded,
}

impl Input {
    fn new(input: &str) -> Self {
        let src: Vec<char> = normalize_width(input).trim().chars().collect();
        let folded = Folded::compact(&src);
        let plain = Folded::compact_plain(&src);
        Self { src, folded, plain }
    }

    /// Source characters consumed by the first `k` folded key characters.
    fn src_at(&self, k: usize) -> usize {
        if k == 0 { 0 } else { self.folded.src_end.get(k - 1).copied().unwrap_or(self.src.len()) }
    }

    /// The longest town of `muni` the text from key position `k` starts with, and the source
    /// characters consumed through it. 大字 / 字 before it is an old prefix the list leaves
    /// out. The numeral-folded key must not end inside a numeral run; the plain key covers
    /// names that end in a numeral (政和第一 followed by 十番地).
    fn town<'m>(&self, muni: &'m Municipality, k: usize) -> Option<(&'m Town, usize)> {
        let key = &self.folded.key;
        let mut tk = k;
        for prefix in ["大字", "字"] {
            let p: Vec<char> = prefix.chars().collect();
            if key.get(tk..).is_some_and(|r| r.starts_with(&p)) {
                tk += p.len();
                break;
            }
        }
        let after = key.get(tk..).unwrap_or_default();
        let mut town: Option<(&Town, usize)> = after.first().and_then(|&c| {
            muni.towns_starting(c)
                .filter(|t| after.starts_with(&t.key) && !self.folded.splits_run(tk + t.key.len()))
                .max_by_key(|t| t.key.len())
                .map(|t| (t, self.src_at(tk + t.key.len())))
        });
        let pk = self.plain.key_index_at(self.src_at(tk));
        let pafter = self.plain.key.get(pk..).unwrap_or_default();
        if let Some(t) = pafter.first().and_then(|&c| {
            muni.towns_starting_plain(c).filter(|t| pafter.starts_with(&t.plain_key)).max_by_key(|t| t.plain_key.len())
        }) {
            let consumed = self.plain.src_end.get(pk + t.plain_key.len() - 1).copied().unwrap_or(self.src.len());
            if town.is_none_or(|(_, c)| consumed > c) {
                town = Some((t, consumed));
            }
        }
        town
    }
}

/// Normalizes with the list shipped in the crate.
pub fn normalize(input: &str) -> NormalizedAddress {
    Gazetteer::embedded().normalize(input)
}

impl Gazetteer {
    pub fn normalize(&self, input: &str) -> NormalizedAddress {
        let input = Input::new(input);
        let (src, key) = (&input.src, &input.folded.key);
        let src_at = |k: usize| input.src_at(k);
        let rest_from =
            |s: usize| -> String { src.get(s..).unwrap_or_default().iter().collect::<String>().trim().to_string() };

        let mut out = NormalizedAddress {
            pref: String::new(),
            city: String::new(),
            town: String::new(),
            rest: String::new(),
            lg_code: None,
            level: Level::Nothing,
            ambiguous: Vec::new(),
        };

        // Prefecture, when written.
        let mut k = 0;
        let mut pref: Option<&str> = None;
        for (name, pk) in self.prefectures.iter().zip(&self.pref_keys) {
            if key.starts_with(pk) {
                pref = Some(name);
                k = pk.len();
                break;
            }
        }

        // Municipality: the longest name that matches, within the prefecture if one was given.
        let after = key.get(k..).unwrap_or_default();
        let mut best: Vec<(&Municipality, usize)> = Vec::new();
        if let Some(&c) = after.first() {
            for m in self.municipalities_starting(c) {
                if pref.is_some_and(|p| p != m.pref) {
                    continue;
                }
                if let Some(len) = prefix_len(after, &m.keys) {
                    match best.first().map(|b| b.1) {
                        Some(l) if l > len => {}
                        Some(l) if l == len => best.push((m, len)),
                        _ => best = vec![(m, len)],
                    }
                }
            }
        }
        if best.len() > 1 {
            // Folding made distinct names equal (鹿嶋市 / 鹿島市): an exact spelling decides.
            let written: String =
                src.get(src_at(k)..).unwrap_or_default().iter().filter(|c| !c.is_whitespace()).collect();
            let exact: Vec<_> = best
                .iter()
                .filter(|(m, _)| written.starts_with(&m.full_name()) || written.starts_with(&m.city))
                .copied()
                .collect();
            if exact.len() == 1 {
                best = exact;
            }
        }
        let muni = match best.as_slice() {
            [(m, len)] => Some((*m, *len)),
            [] => None,
            many => {
                // Same name in several places and no prefecture: the town decides when it
                // exists in only one of them (府中市宮西町 is in Tokyo); otherwise never guess.
                let by_town: Vec<_> =
                    many.iter().filter(|(m, len)| input.town(m, k + len).is_some()).copied().collect();
                match by_town.as_slice() {
                    [(m, len)] => Some((*m, *len)),
                    _ => {
                        out.ambiguous = many.iter().map(|(m, _)| format!("{}{}", m.pref, m.full_name())).collect();
                        None
                    }
                }
            }
        };

        let Some((muni, mlen)) = muni else {
            if let Some(p) = pref {
                out.pref = p.to_string();
                out.level = Level::Prefecture;
            }
            out.rest = rest_from(src_at(k));
            return out;
        };
        out.pref = muni.pref.clone();
        out.city = muni.full_name();
        out.lg_code = Some(muni.lg_code.clone());
        out.level = Level::Municipality;
        k += mlen;

        let town = input.town(muni, k);
        let Some((town, consumed)) = town else {
            // No known town: if what follows is block numbers alone, write them as hyphens.
            let tail_src: Vec<char> = src.get(src_at(k)..).unwrap_or_default().to_vec();
            let b = blocks::parse(&tail_src, false);
            let mut numbers: Vec<u64> = b.chome.into_iter().collect();
            numbers.extend(&b.numbers);
            out.rest = render(&numbers, b.tail);
            return out;
        };
        out.level = Level::Town;
        let tail_src: Vec<char> = src.get(consumed..).unwrap_or_default().to_vec();
        let b = blocks::parse(&tail_src, town.has_chome);
        out.town = match b.chome {
            Some(c) => format!("{}{}丁目", town.name, arabic_to_kanji(c)),
            None => town.name.clone(),
        };
        out.rest = render(&b.numbers, b.tail);
        out
    }
}

/// Block numbers as hyphens, then what followed them.
fn render(numbers: &[u64], tail: String) -> String {
    let numbers: Vec<String> = numbers.iter().map(u64::to_string).collect();
    match (numbers.is_empty(), tail.is_empty()) {
        (true, _) => tail,
        (false, true) => numbers.join("-"),
        (false, false) => format!("{} {tail}", numbers.join("-")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NormalizedAddress {
        normalize(s)
    }

    #[test]
    fn block_spellings_normalize_to_one_address() {
        let a = n("東京都千代田区霞が関2丁目1番地2号");
        assert_eq!(
            (a.pref.as_str(), a.city.as_str(), a.town.as_str(), a.rest.as_str(), a.lg_code.as_deref(), a.level),
            ("東京都", "千代田区", "霞が関二丁目", "1-2", Some("131016"), Level::Town)
        );
        for s in [
            "東京都千代田区霞が関2-1-2",
            "東京都千代田区霞が関二丁目一番地二号",
            "東京都千代田区霞ヶ関２－１－２",
            "東京都 千代田区 霞が関 2-1-2",
        ] {
            assert_eq!(n(s), a, "{s}");
        }
    }

    #[test]
    fn omitted_district_and_prefecture_are_restored() {
        let a = n("当別町太美町1番地");
        assert_eq!(a.pref, "北海道");
        assert_eq!(a.city, "石狩郡当別町");
        assert_eq!(a.lg_code.as_deref(), Some("013030"));
    }

    #[test]
    fn designated_city_wards() {
        let a = n("神奈川県横浜市中区山下町1");
        assert_eq!(a.city, "横浜市中区");
        assert_eq!(a.town, "山下町");
        assert_eq!(a.rest, "1");
        assert_eq!(a.lg_code.as_deref(), Some("141046"));
        assert_eq!(n("札幌市").lg_code.as_deref(), Some("011002"));
    }

    #[test]
    fn shared_names_are_never_guessed() {
        for s in ["伊達市", "府中市府中町1-1", "南牧村", "伊達市どこか1"] {
            let a = n(s);
            assert_eq!(a.level, Level::Nothing, "{s}");
            assert!(a.ambiguous.len() >= 2, "{s}: {:?}", a.ambiguous);
            assert_eq!(a.rest, normalize_width(s), "nothing dropped");
        }
        assert_eq!(n("福島県伊達市梁川町").lg_code.as_deref(), Some("072133"));
    }

    #[test]
    fn a_town_found_in_only_one_of_the_shared_names_decides() {
        // 宮西町 exists in Tokyo's 府中市 and not in Hiroshima's.
        let a = n("府中市宮西町1-1");
        assert_eq!((a.pref.as_str(), a.lg_code.as_deref(), a.level), ("東京都", Some("132063"), Level::Town));
        // 府中町 exists in both: still not chosen.
        assert!(n("府中市府中町1-1").ambiguous.len() == 2);
    }

    #[test]
    fn unknown_parts_are_kept() {
        let a = n("東京都どこにもない町1-2");
        assert_eq!((a.level, a.pref.as_str(), a.rest.as_str()), (Level::Prefecture, "東京都", "どこにもない町1-2"));
        let a = n("mars base 1");
        assert_eq!((a.level, a.rest.as_str()), (Level::Nothing, "mars base 1"));
        let a = n("東京都千代田区霞が関2丁目1番2号 中央合同庁舎第2号館");
        assert_eq!(a.rest, "1-2 中央合同庁舎第2号館");
    }
}
