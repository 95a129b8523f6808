//! Names with readings, from gimei's list (MIT), converted by data/build.py.

use std::sync::LazyLock;

const DATA: &str = include_str!("../data/names.tsv");

pub(crate) struct Names {
    pub surnames: Vec<(&'static str, &'static str)>,
    pub male: Vec<(&'static str, &'static str)>,
    pub female: Vec<(&'static str, &'static str)>,
}

pub(crate) static NAMES: LazyLock<Names> = LazyLock::new(|| {
    let mut n = Names { surnames: Vec::new(), male: Vec::new(), female: Vec::new() };
    for line in DATA.lines().filter(|l| !l.starts_with('#')) {
        let mut f = line.split('\t');
        let (Some(kind), Some(kanji), Some(kana)) = (f.next(), f.next(), f.next()) else { continue };
        match kind {
            "s" => n.surnames.push((kanji, kana)),
            "m" => n.male.push((kanji, kana)),
            "f" => n.female.push((kanji, kana)),
            _ => {}
        }
    }
    n
});
