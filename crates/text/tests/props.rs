use myna_text::{
    address::{Gazetteer, Level, normalize},
    arabic_to_kanji, kanji_to_arabic, match_key, name_key, normalize_width,
};
use proptest::prelude::*;

/// A real address written in one of the ways people write it.
fn address() -> impl Strategy<Value = (String, String, u64, u64, u64, u8, bool)> {
    let g = Gazetteer::embedded();
    let n = g.municipalities.len();
    (0..n, any::<prop::sample::Index>(), 1u64..10, 1u64..40, 1u64..30, 0u8..4, any::<bool>()).prop_map(
        move |(mi, ti, c, b, go, style, with_pref)| {
            let m = &g.municipalities[mi];
            let (town, chome) = if m.towns.is_empty() {
                (String::new(), false)
            } else {
                let t = ti.get(&m.towns);
                (t.name.clone(), t.has_chome)
            };
            let pref = if with_pref { m.pref.clone() } else { String::new() };
            (format!("{pref}{}", m.full_name()), town, c, b, go, style, chome)
        },
    )
}

fn spell(town: &str, c: u64, b: u64, go: u64, style: u8, chome: bool) -> String {
    if !chome {
        // Without 丁目 the hyphenated form cannot say which number is which; write 番地-号.
        return match style {
            0 => format!("{town}{b}番地{go}号"),
            1 => format!("{town}{b}-{go}"),
            2 => format!("{town}{}番地{}号", arabic_to_kanji(b), arabic_to_kanji(go)),
            _ => format!("{town}{b}－{go}"),
        };
    }
    match style {
        0 => format!("{town}{c}丁目{b}番地{go}号"),
        1 => format!("{town}{c}-{b}-{go}"),
        2 => format!("{town}{}丁目{}番地{}号", arabic_to_kanji(c), arabic_to_kanji(b), arabic_to_kanji(go)),
        _ => normalize_width(&format!("{town}{c}-{b}-{go}")).replace('-', "－"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn normalization_is_idempotent(s in "\\PC{0,40}") {
        let once = normalize(&s);
        let twice = normalize(&once.to_line());
        prop_assert_eq!(&once.to_line(), &twice.to_line());
    }

    #[test]
    fn real_addresses_are_idempotent_and_spellings_agree((head, town, c, b, go, style, chome) in address()) {
        let written = format!("{head}{}", spell(&town, c, b, go, style, chome));
        let a = normalize(&written);
        if !a.ambiguous.is_empty() {
            // A shared name without its prefecture: nothing chosen, nothing dropped.
            prop_assert_eq!(a.rest, normalize_width(&written));
            return Ok(());
        }
        let plain = normalize(&format!("{head}{}", spell(&town, c, b, go, 0, chome)));
        prop_assert_eq!(&a, &plain);
        prop_assert_eq!(normalize(&a.to_line()), a.clone());
        prop_assert!(a.level >= Level::Prefecture || !a.ambiguous.is_empty());
    }

    #[test]
    fn kanji_numerals_round_trip(v in 0u64..100_000_000) {
        prop_assert_eq!(kanji_to_arabic(&arabic_to_kanji(v)), Ok(v));
    }

    #[test]
    fn keys_are_idempotent(s in "\\PC{0,30}") {
        prop_assert_eq!(name_key(&name_key(&s)), name_key(&s));
        prop_assert_eq!(match_key(&match_key(&s)), match_key(&s));
    }
}
