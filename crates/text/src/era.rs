//! Dates in the Japanese era calendar (和暦), as forms and notices write them: 令和8年12月25日,
//! the first year of an era as 元年. Era start days are those of the era names' proclamations.

/// Eras from the newest: name and first day (year, month, day).
const ERAS: &[(&str, (i32, u8, u8))] = &[
    ("令和", (2019, 5, 1)),
    ("平成", (1989, 1, 8)),
    ("昭和", (1926, 12, 25)),
    ("大正", (1912, 7, 30)),
    ("明治", (1868, 10, 23)),
];

/// `year-month-day` (Gregorian) as 和暦, or the Gregorian date with 年月日 before 明治.
pub fn wareki(year: i32, month: u8, day: u8) -> String {
    for &(name, start) in ERAS {
        if (year, month, day) >= start {
            let n = year - start.0 + 1;
            let y = if n == 1 { "元".to_string() } else { n.to_string() };
            return format!("{name}{y}年{month}月{day}日");
        }
    }
    format!("{year}年{month}月{day}日")
}

#[cfg(test)]
mod tests {
    use super::wareki;

    #[test]
    fn eras_change_on_their_first_day() {
        assert_eq!(wareki(2026, 12, 25), "令和8年12月25日");
        assert_eq!(wareki(2019, 5, 1), "令和元年5月1日");
        assert_eq!(wareki(2019, 4, 30), "平成31年4月30日");
        assert_eq!(wareki(1989, 1, 7), "昭和64年1月7日");
        assert_eq!(wareki(1989, 1, 8), "平成元年1月8日");
    }
}
