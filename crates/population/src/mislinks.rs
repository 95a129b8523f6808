//! Wrong links planted as the 2023 inspection found them (マイナンバー情報総点検, seed 001
//! 「総点検で判明した紐付け誤り」): so that an inspection can be measured against a known
//! truth. A link is an agency's record of a person with an individual number; a wrong one
//! carries another resident's number. The seed names three causes:
//! - 「２情報で住基ネット照会した際に複数人のマイナンバーが該当した場合の紐付け誤り」: a lookup by
//!   two items matched several people and the wrong one was taken ([`Cause::TwoItemLookup`]);
//! - 「申請書にマイナンバーの記載誤り」: a number written wrongly on the form that happened to be
//!   another resident's ([`Cause::MiswrittenNumber`]; one that is nobody's never linked);
//! - 「本人と家族のマイナンバーの取り違え」: a family member's number taken for the applicant's
//!   ([`Cause::FamilySwap`]).
//!
//! The seed gives the rate of each business (the table below) but not the share of each
//! cause: by default the three share a business's rate equally, which is an assumption.
//! Which links are planted is decided per (seed, holder, household, member), so the same
//! country always has the same errors.

/// Why a link is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cause {
    FamilySwap,
    TwoItemLookup,
    MiswrittenNumber,
}

impl Cause {
    pub const ALL: [Cause; 3] = [Cause::FamilySwap, Cause::TwoItemLookup, Cause::MiswrittenNumber];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::FamilySwap => "family_swap",
            Cause::TwoItemLookup => "two_item_lookup",
            Cause::MiswrittenNumber => "miswritten_number",
        }
    }

    /// Whose number the wrong link carries: another member of the same household for a family
    /// swap, someone of another household otherwise.
    pub fn same_household(self) -> bool {
        self == Cause::FamilySwap
    }
}

/// One line of seed 001's table: a business, its links checked and found wrong.
#[derive(Debug, Clone, Copy)]
pub struct Business {
    pub name: &'static str,
    pub checked: u64,
    pub wrong: u64,
}

/// Seed 001, 「２．総点検で判明した紐付け誤り」 (第６回マイナンバー情報総点検本部, 令和6年1月16日).
pub const SEED_001: [Business; 13] = [
    Business { name: "健康保険証情報", checked: 15_710_000, wrong: 1_142 },
    Business { name: "共済年金情報", checked: 5_070_000, wrong: 119 },
    Business { name: "公金受取口座情報", checked: 56_220_000, wrong: 1_186 },
    Business { name: "所得・個人住民税情報", checked: 7_789, wrong: 4 },
    Business { name: "障害支援区分認定情報", checked: 2_325, wrong: 1 },
    Business {
        name: "障害者自立支援に関する給付情報（精神通院医療）", checked: 157_763, wrong: 152
    },
    Business { name: "障害福祉サービス受給者証情報", checked: 2_895, wrong: 6 },
    Business { name: "生活保護情報", checked: 62_351, wrong: 22 },
    Business { name: "障害者手帳情報", checked: 4_800_000, wrong: 5_689 },
    Business { name: "小児慢性特定疾病医療費助成の支給情報", checked: 4_625, wrong: 7 },
    Business { name: "難病患者に対する特定医療費の支給情報", checked: 37_820, wrong: 66 },
    Business { name: "労働者災害補償給付情報", checked: 263, wrong: 1 },
    Business { name: "その他（12事務）", checked: 6_089, wrong: 0 },
];

/// The whole inspection: 8,208万件 checked, 8,395 wrong (0.010 %).
pub const SEED_001_TOTAL: Business = Business { name: "合計", checked: 82_080_000, wrong: 8_395 };

/// Wrong links per million, by cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rates {
    pub family_swap: u32,
    pub two_item_lookup: u32,
    pub miswritten_number: u32,
}

impl Rates {
    /// A business's rate from the seed, shared equally by the three causes.
    pub fn of(b: &Business) -> Self {
        let per_million = if b.checked == 0 { 0 } else { (b.wrong * 1_000_000).div_ceil(b.checked) };
        Self::each((per_million as u32).div_ceil(3))
    }

    /// The seed's overall rate (about 102 per million), shared equally.
    pub fn seed() -> Self {
        Self::of(&SEED_001_TOTAL)
    }

    /// The same rate per million for every cause.
    pub fn each(per_million: u32) -> Self {
        Self { family_swap: per_million, two_item_lookup: per_million, miswritten_number: per_million }
    }

    pub fn total(&self) -> u32 {
        self.family_swap + self.two_item_lookup + self.miswritten_number
    }
}

/// SplitMix64: a well-mixed 64-bit value from a counter, so each link's draw is independent
/// of every other's and stable across versions (std's hasher promises neither).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether the link `holder` keeps of member `member` (of a household of `size`, the
/// `household`-th of the country) was made wrong, and why. A family swap needs a household
/// of two or more; a draw for it in a household of one plants nothing.
pub fn planted(seed: u64, holder: &str, household: u64, member: usize, size: usize, rates: &Rates) -> Option<Cause> {
    let h = holder.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let draw = mix(seed ^ mix(h ^ mix(household ^ mix(member as u64)))) % 1_000_000;
    let draw = draw as u32;
    let (a, b) = (rates.family_swap, rates.family_swap + rates.two_item_lookup);
    if draw < a {
        (size >= 2).then_some(Cause::FamilySwap)
    } else if draw < b {
        Some(Cause::TwoItemLookup)
    } else if draw < b + rates.miswritten_number {
        Some(Cause::MiswrittenNumber)
    } else {
        None
    }
}

/// For a family swap, whose number was taken: the next member of the household (the first
/// after the last).
pub fn swapped_with(member: usize, size: usize) -> usize {
    if size == 0 { 0 } else { (member + 1) % size }
}

/// A link as planted: whose number it carries (an index into the country's residents in
/// order) and, when that is not the person's own, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planted {
    pub number_of: usize,
    pub cause: Option<Cause>,
}

/// The links `holder` keeps of every resident of consecutive households (their sizes, the
/// first being the country's `first_household`-th), in order: most carry the person's own
/// number; the planted ones another member's (a family swap) or, for the other causes, that of
/// the first member of the household before (after, for the very first).
pub fn plant(seed: u64, holder: &str, first_household: u64, sizes: &[usize], rates: &Rates) -> Vec<Planted> {
    let mut out = Vec::with_capacity(sizes.iter().sum());
    let mut start = 0usize;
    for (k, &size) in sizes.iter().enumerate() {
        let other_household = if k > 0 { start - sizes[k - 1] } else { start + size };
        for m in 0..size {
            let cause = planted(seed, holder, first_household + k as u64, m, size, rates);
            let number_of = match cause {
                None => start + m,
                Some(Cause::FamilySwap) => start + swapped_with(m, size),
                // Only when another household exists; else the link stays right.
                Some(_) if sizes.len() > 1 => other_household,
                Some(_) => start + m,
            };
            let cause = cause.filter(|_| number_of != start + m);
            out.push(Planted { number_of, cause });
        }
        start += size;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_rates_come_out_per_million() {
        assert_eq!(Rates::seed().total(), 3 * 35, "8,395 of 82.08M is 102.3 per million, 35 a cause");
        let techo = SEED_001.iter().find(|b| b.name == "障害者手帳情報").unwrap();
        assert_eq!(Rates::of(techo).total(), 3 * 396, "5,689 of 4.80M: 0.119 %");
        let sum: u64 = SEED_001.iter().map(|b| b.wrong).sum();
        assert_eq!(sum, SEED_001_TOTAL.wrong, "the table adds up to the total");
    }

    #[test]
    fn planting_follows_the_rates_and_is_the_same_each_time() {
        let rates = Rates::each(10_000);
        let mut by = std::collections::BTreeMap::new();
        for household in 0..100_000u64 {
            if let Some(c) = planted(7, "municipality:131016", household, 0, 3, &rates) {
                *by.entry(c).or_insert(0u32) += 1;
            }
        }
        for c in Cause::ALL {
            let n = by.get(&c).copied().unwrap_or(0);
            assert!((800..1200).contains(&n), "{c:?}: {n} of 100,000 at 1 %");
        }
        assert_eq!(planted(7, "x", 5, 1, 2, &rates), planted(7, "x", 5, 1, 2, &rates));
        // Another holder draws differently.
        let differ =
            (0..1000u64).filter(|&h| planted(7, "a", h, 0, 2, &rates) != planted(7, "b", h, 0, 2, &rates)).count();
        assert!(differ > 0);
        // Nobody to swap with in a household of one.
        assert!((0..100_000u64).all(|h| planted(7, "x", h, 0, 1, &rates) != Some(Cause::FamilySwap)));
        assert_eq!(swapped_with(2, 3), 0);
    }

    #[test]
    fn planted_links_carry_another_residents_number_and_the_rest_their_own() {
        let sizes = [3, 1, 2, 4, 1];
        let links = plant(1, "h", 0, &sizes, &Rates::each(200_000));
        assert_eq!(links.len(), 11);
        let households: Vec<usize> = sizes.iter().enumerate().flat_map(|(k, &n)| std::iter::repeat_n(k, n)).collect();
        for (i, l) in links.iter().enumerate() {
            match l.cause {
                None => assert_eq!(l.number_of, i),
                Some(c) => {
                    assert_ne!(l.number_of, i, "{c:?}");
                    assert_eq!(households[l.number_of] == households[i], c.same_household(), "{c:?} at {i}");
                }
            }
        }
        assert!(links.iter().any(|l| l.cause.is_some()));
    }
}
