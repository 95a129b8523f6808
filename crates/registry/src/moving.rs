//! A move as a process (転出 → 転入): the 転出届 names its destination as an address the
//! gazetteer knows and may be filed ahead of the move; the 転出証明書情報 it leaves serves a
//! 転入 at the destination only, for a limited time. The periods are the law's
//! (住民基本台帳法 22–24条 and the マイナンバーカード特例転入 of 24条の2), not the seeds'.

use time::{Date, Duration};

use crate::{Address, Status};

/// A 転出届 may be filed this many days before the planned move-out date (転出予定日),
/// the period municipalities accept it in advance.
pub const ADVANCE_DAYS: i64 = 14;

/// A 転入届 is due within this many days of moving in (住民基本台帳法 22条).
pub const MOVE_IN_DAYS: i64 = 14;

/// The 転出証明書情報 notified in advance serves a 特例転入 until this many days after the
/// planned move-out date; after that the reservation has lapsed.
pub const CERTIFICATE_DAYS: i64 = 30;

/// The municipality that keeps the register of `address`: the designated city for a ward
/// (a move between wards of one city is a 転居), else the address's own.
pub fn keeper(address: &Address) -> String {
    let g = myna_text::address::Gazetteer::embedded();
    g.city_of_ward(address.lg_code()).map(str::to_string).unwrap_or_else(|| address.lg_code().to_string())
}

/// The last day a 転入 may use the 転出証明書情報 of a move out on `on`.
pub fn lapses_after(on: Date) -> Date {
    on.saturating_add(Duration::days(CERTIFICATE_DAYS))
}

/// Where a moved-out record said it was going, parsed (`None` for a destination recorded
/// before destinations were addresses, or another kind of record).
pub fn destination(status: &Status) -> Option<Address> {
    status.moved_to().and_then(|t| Address::parse(t).ok())
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_ward_is_kept_by_its_city_and_a_town_by_itself() {
        assert_eq!(keeper(&Address::parse("大阪府大阪市北区梅田1-1").unwrap()), "271004");
        assert_eq!(keeper(&Address::parse("東京都千代田区永田町1-7-1").unwrap()), "131016");
        assert_eq!(lapses_after(date!(2026 - 12 - 10)), date!(2027 - 01 - 09));
    }
}
