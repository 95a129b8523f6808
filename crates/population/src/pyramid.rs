//! Japan's age pyramid: population by 5-year age group in thousands, rounded from the
//! Statistics Bureau's estimates for October 2023 (total ≈ 124.4 million). Ages within a
//! group are drawn uniformly.

pub(crate) const GROUPS: [(u32, u32); 21] = [
    (0, 4_200),
    (5, 4_850),
    (10, 5_300),
    (15, 5_500),
    (20, 6_200),
    (25, 6_350),
    (30, 6_400),
    (35, 7_200),
    (40, 8_000),
    (45, 9_600),
    (50, 9_500),
    (55, 8_200),
    (60, 7_400),
    (65, 7_600),
    (70, 9_200),
    (75, 7_000),
    (80, 5_800),
    (85, 3_900),
    (90, 1_900),
    (95, 500),
    (100, 90),
];

/// Weights for every age 0..=104, for drawing a single age.
pub(crate) fn age_weights(min_age: u32) -> Vec<(u32, u32)> {
    let mut v = Vec::new();
    for (start, thousands) in GROUPS {
        for age in start..start + 5 {
            if age >= min_age {
                v.push((age, thousands));
            }
        }
    }
    v
}
