//! Instants as Unix seconds (the domain never reads a clock; callers pass `now`), and the
//! conversions X.509 needs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::{Date, OffsetDateTime, UtcOffset};
use x509_cert::time::Time;

use crate::PkiError;

/// Japan Standard Time: validity dates ("until the 5th birthday") are Japanese calendar days.
pub const JST: UtcOffset = match UtcOffset::from_hms(9, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The last second of `day` in Japan.
pub fn end_of_day_jst(day: Date) -> i64 {
    day.with_hms(23, 59, 59).map(|t| t.assume_offset(JST).unix_timestamp()).unwrap_or(0)
}

/// The calendar day in Japan at `unix`.
pub fn day_jst(unix: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(unix).map(|t| t.to_offset(JST).date()).unwrap_or(Date::MIN)
}

pub fn to_x509(unix: i64) -> Result<Time, PkiError> {
    let secs = u64::try_from(unix).map_err(|_| PkiError::Encoding("time before 1970".into()))?;
    Ok(Time::try_from(UNIX_EPOCH + Duration::from_secs(secs))?)
}

pub fn from_x509(t: &Time) -> i64 {
    t.to_unix_duration().as_secs() as i64
}

pub fn to_system(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix.max(0) as u64)
}

/// RFC 3339 in UTC, for messages.
pub fn show(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}
