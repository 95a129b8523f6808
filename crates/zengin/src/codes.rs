//! The bank and branch code list (統一金融機関コード・店舗コード), embedded from PyPI
//! `zengin-code` (MIT; `data/build.py` names the version). Names are as the banks register
//! them; the kana is the full-width reading the list carries (small kana written large).

use std::{collections::HashMap, sync::LazyLock};

const BANKS: &str = include_str!("../data/banks.tsv");
const BRANCHES: &str = include_str!("../data/branches.tsv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bank {
    /// 4 digits.
    pub code: &'static str,
    pub name: &'static str,
    pub kana: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// 3 digits.
    pub code: &'static str,
    pub name: &'static str,
    pub kana: &'static str,
}

pub struct Codes {
    banks: HashMap<&'static str, Bank>,
    branches: HashMap<&'static str, HashMap<&'static str, Branch>>,
}

static CODES: LazyLock<Codes> = LazyLock::new(|| {
    let rows =
        |text: &'static str| text.lines().filter(|l| !l.starts_with('#')).map(|l| l.split('\t').collect::<Vec<_>>());
    let banks = rows(BANKS)
        .filter_map(|f| match f[..] {
            [code, name, kana] => Some((code, Bank { code, name, kana })),
            _ => None,
        })
        .collect();
    let mut branches: HashMap<&'static str, HashMap<&'static str, Branch>> = HashMap::new();
    for f in rows(BRANCHES) {
        if let [bank, code, name, kana] = f[..] {
            branches.entry(bank).or_default().insert(code, Branch { code, name, kana });
        }
    }
    Codes { banks, branches }
});

impl Codes {
    /// The embedded list.
    pub fn embedded() -> &'static Codes {
        &CODES
    }

    pub fn bank(&self, code: &str) -> Option<&Bank> {
        self.banks.get(code)
    }

    pub fn branch(&self, bank: &str, branch: &str) -> Option<&Branch> {
        self.branches.get(bank)?.get(branch)
    }

    /// A bank's branches, by code.
    pub fn branches_of(&self, bank: &str) -> Vec<&Branch> {
        let mut v: Vec<&Branch> = self.branches.get(bank).map(|b| b.values().collect()).unwrap_or_default();
        v.sort_by_key(|b| b.code);
        v
    }

    pub fn banks(&self) -> usize {
        self.banks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_the_big_banks_and_their_branches() {
        let c = Codes::embedded();
        assert!(c.banks() > 1_000, "{}", c.banks());
        assert_eq!(c.bank("0001").map(|b| b.name), Some("みずほ"));
        assert_eq!(c.bank("9900").map(|b| b.kana), Some("ユウチヨ"), "ゆうちょ銀行");
        assert_eq!(c.branch("0001", "001").map(|b| b.name), Some("東京営業部"));
        assert!(c.bank("0002").is_none());
        assert!(c.branch("0001", "999").is_none());
    }
}
