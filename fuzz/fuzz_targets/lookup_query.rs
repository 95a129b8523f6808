#![no_main]
//! The 4 lookup items as a clerk's form sends them: never a panic, only a reason.
use libfuzzer_sys::fuzz_target;
use myna_registry::LookupQuery;

fuzz_target!(|data: (&str, &str, &str, &str)| {
    let today = time::Date::from_calendar_date(2026, time::Month::November, 21).unwrap_or(time::Date::MIN);
    let _ = LookupQuery::new(Some(data.0), Some(data.1), Some(data.2), Some(data.3), today);
});
