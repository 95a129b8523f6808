//! Outside input reaches these checks straight from a browser form: any string must give a
//! value or a reason, never a panic, and a value that passed must pass again unchanged.

use std::collections::BTreeMap;

use myna_pittari::{Catalogue, SignedDocument};
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_input_gives_a_value_or_a_reason(values in proptest::collection::vec(".{0,40}", 17)) {
        let c = Catalogue::shipped().unwrap();
        let o = c.offering("131016", "kosodate-10").unwrap();
        let input: BTreeMap<String, String> = o.fields.iter().zip(values).map(|(f, v)| (f.id.clone(), v)).collect();
        match o.fill(&input) {
            Ok(filled) => {
                // Stored values are fixed points: checking them again changes nothing.
                let again = o.fill(&filled.values).unwrap();
                prop_assert_eq!(&again, &filled);
                let binding = myna_pittari::Binding { resident: "r".into(), draft: "d".into(), at: 1 };
                let doc = filled.document(binding);
                prop_assert_eq!(SignedDocument::parse(&doc.bytes()).unwrap(), doc);
            }
            Err(errs) => prop_assert!(!errs.is_empty()),
        }
    }

    #[test]
    fn signed_bytes_parse_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = SignedDocument::parse(&bytes);
    }
}
