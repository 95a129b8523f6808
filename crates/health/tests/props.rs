//! Claims files come from outside: any text parses or is refused line by line, never a panic.

use myna_health::parse_claims;
use proptest::prelude::*;

proptest! {
    #[test]
    fn any_text_parses_or_names_its_bad_lines(s in "(MED|CHK|EXP|#|)[ -~、。薬局内服]{0,120}(\n[ -~]{0,60}){0,4}") {
        match parse_claims(&s) {
            Ok(c) => prop_assert!(c.lines.iter().all(|l| l.line >= 1)),
            Err(errs) => prop_assert!(!errs.is_empty() && errs.iter().all(|e| !e.reason.is_empty())),
        }
    }

    #[test]
    fn a_good_medication_line_survives_any_amounts(paid in 0u32..1_000_000, days in 1u16..366) {
        let line = format!("MED,01130012,12,34,01,2025-02-03,薬局,\"病院, 本院\",外用,湿布,\"1日2枚\",14枚,{days},{paid},");
        let c = parse_claims(&line).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(c.lines.len(), 1);
    }
}
