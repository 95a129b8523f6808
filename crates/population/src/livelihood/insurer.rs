//! Insurer numbers (保険者番号) and local government codes, with their check digits: the
//! structure is public (法別番号, prefecture, the insurer's own number, a check digit); the
//! numbers the model makes follow it, and are the real ones only where the rule happens to
//! give them (協会けんぽ 東京支部 01130012).

/// The check digit of an insurer number: from the right, digits weighted 2, 1, 2, …, the
/// digits of each product summed, and the check is what brings the sum to a multiple of 10.
pub fn insurer_check(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            let p = if i % 2 == 0 { d * 2 } else { d };
            p / 10 + p % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

/// `body` followed by its check digit.
pub fn with_check(body: &str) -> String {
    format!("{body}{}", insurer_check(body))
}

/// The check digit of a local government code (JIS X 0402): the five digits weighted 6 to 2,
/// 11 minus the remainder by 11 (0 when that is 10 or 11).
pub fn lg_check(five: &str) -> u32 {
    let sum: u32 = five.chars().filter_map(|c| c.to_digit(10)).zip([6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    (11 - sum % 11) % 11 % 10
}

/// The prefecture's own local government code (e.g. 東京都 130001) from any of its codes.
pub fn prefecture_code(lg_code: &str) -> String {
    let five = format!("{}000", lg_code.get(..2).unwrap_or("00"));
    format!("{five}{}", lg_check(&five))
}

/// 協会けんぽ's branch in a prefecture: 法別番号 01, the prefecture, 001, the check.
pub fn kyokai_branch(pref2: &str) -> String {
    with_check(&format!("01{pref2}001"))
}

/// The prefecture's 後期高齢者医療広域連合: 法別番号 39, the prefecture, 000, the check.
pub fn late_stage_union(pref2: &str) -> String {
    with_check(&format!("39{pref2}000"))
}

/// A municipality's 国民健康保険 (6 digits: the prefecture, the municipality's code within
/// it, the check). Real 国保 numbers are assigned by prefecture, not taken from the code.
pub fn national_insurance(lg_code: &str) -> String {
    with_check(lg_code.get(..5).unwrap_or("00000"))
}

/// The one 健康保険組合 and the one 共済組合 of the model, standing for all of them.
pub const KUMIAI: &str = "06139992";
pub const KYOSAI: &str = "32131005";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_give_known_numbers() {
        assert_eq!(kyokai_branch("13"), "01130012", "協会けんぽ 東京支部");
        assert_eq!(prefecture_code("131016"), "130001");
        assert_eq!(prefecture_code("271004"), "270008");
        assert_eq!(prefecture_code("013951"), "010006");
        assert_eq!(lg_check("13101"), 6, "千代田区 131016");
        assert_eq!(lg_check("27100"), 4, "大阪市 271004");
        assert_eq!(with_check("0613999"), KUMIAI);
        assert_eq!(with_check("3213100"), KYOSAI);
    }
}
