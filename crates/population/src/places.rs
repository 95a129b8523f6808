//! Municipalities weighted by population. Prefecture populations come from seed 002 (R3.1.1);
//! within a prefecture the seeds give no figure per municipality, so its share follows the
//! number of towns (町字) it has in the postal list — a rough proxy, stated as such.

use std::sync::LazyLock;

use myna_text::address::{Gazetteer, Municipality};

const PREFECTURES: &str = include_str!("../data/prefectures.tsv");

pub(crate) struct Places {
    pub munis: Vec<&'static Municipality>,
    pub weights: Vec<f64>,
}

pub(crate) static PLACES: LazyLock<Places> = LazyLock::new(|| {
    let g = Gazetteer::embedded();
    let pops: Vec<(&str, f64)> = PREFECTURES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(p, n)| n.trim().parse::<f64>().ok().map(|n| (p, n)))
        .collect();
    let mut munis = Vec::new();
    let mut weights = Vec::new();
    for (pref, pop) in pops {
        let in_pref: Vec<&Municipality> =
            g.municipalities.iter().filter(|m| m.pref == pref && !m.towns.is_empty()).collect();
        let towns: usize = in_pref.iter().map(|m| m.towns.len()).sum();
        for m in in_pref {
            munis.push(m);
            weights.push(pop * m.towns.len() as f64 / towns.max(1) as f64);
        }
    }
    Places { munis, weights }
});
