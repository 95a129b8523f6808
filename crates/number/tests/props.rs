use myna_number::{AnyNumber, CorporateNumber, IndividualNumber, NumberError, NumberIssuer};
use proptest::prelude::*;

proptest! {
    #[test]
    fn every_issued_number_validates(key in any::<[u8; 32]>(), serial in 0u64..100_000_000_000) {
        let iss = NumberIssuer::new(&key).unwrap();
        let n = iss.individual(serial).unwrap();
        prop_assert_eq!(n.as_str().parse::<IndividualNumber>().unwrap(), n);
        prop_assert_eq!(n.grouped().parse::<IndividualNumber>().unwrap(), n);
        let c = iss.corporate(serial).unwrap();
        prop_assert_eq!(c.as_str().parse::<CorporateNumber>().unwrap(), c);
    }

    #[test]
    fn changing_one_digit_is_always_caught(body in proptest::array::uniform11(0u8..10), pos in 0usize..12, delta in 1u8..10) {
        // A single wrong digit must never pass: the weights are all non-zero mod 11.
        let digits: String = body.iter().map(|d| char::from(b'0' + d)).collect();
        let check = IndividualNumber::check_digit(&body);
        let mut s: Vec<u8> = format!("{digits}{check}").into_bytes();
        s[pos] = b'0' + (s[pos] - b'0' + delta) % 10;
        let typo = String::from_utf8(s).unwrap();
        // The check digit maps r ∈ {0,1} both to 0, so a typo in a body can collide only
        // through that fold; everything else must be caught.
        if let Ok(n) = typo.parse::<IndividualNumber>() {
            let mut b2 = [0u8; 11];
            for (i, c) in n.as_str().bytes().take(11).enumerate() { b2[i] = c - b'0'; }
            prop_assert_eq!(IndividualNumber::check_digit(&b2), 0);
        }
    }

    #[test]
    fn parser_never_panics_and_errors_are_specific(s in "\\PC{0,20}") {
        match AnyNumber::parse(&s) {
            Ok(n) => prop_assert!(matches!(n.to_string().len(), 6 | 12 | 13)),
            Err(NumberError::Empty | NumberError::NotADigit { .. } | NumberError::UnknownLength { .. }
                | NumberError::CheckDigit { .. } | NumberError::CorporateCheckZero
                | NumberError::WrongLength { .. }) => {}
        }
    }
}
