//! What a municipality offers: which documents, at what fee, and when its kiosk service is
//! open. Each municipality adopts its own list (seed 003: 「市区町村によってサービス内容が異なります」);
//! the hours and the year-end closure are the seed's (「毎日6:30～23:00まで ※年末年始(12月29日～翌年1月3日)
//! を除く」). The municipality's rules decide, not the kiosk's.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{DocKind, JST, Options};

/// One document a municipality issues, with its fees in yen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offered {
    pub kind: DocKind,
    /// At a store's kiosk (some municipalities charge less than at the counter).
    pub kiosk_fee: u32,
    pub counter_fee: u32,
    /// Whether the individual number may be printed when the resident asks (住民票 only).
    #[serde(default)]
    pub number_allowed: bool,
}

/// A municipality's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offering {
    /// Whether the municipality takes part in the kiosk service at all.
    pub kiosk: bool,
    pub documents: Vec<Offered>,
    /// Opening and closing time of the kiosk service, minutes after midnight (JST).
    pub opens: u16,
    pub closes: u16,
}

/// Why a document is not issued, in words a resident at a kiosk or a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("お住まいの市区町村はコンビニ交付を行っていません / your municipality does not issue documents at stores")]
    NoKioskService,
    #[error("{ja}はお住まいの市区町村では交付していません / your municipality does not issue this document", ja = .0.ja())]
    NotOffered(DocKind),
    #[error("ご利用時間は{opens}～{closes}です / the service is open {opens}–{closes}")]
    OutsideHours { opens: String, closes: String },
    #[error("年末年始(12月29日～1月3日)はご利用いただけません / closed from 29 December to 3 January")]
    YearEnd,
    #[error("個人番号の記載はこの市区町村では選べません / this municipality does not print the individual number here")]
    NumberNotAllowed,
    #[error("年度を選んでください / choose the tax year")]
    NoYear,
}

fn clock(minutes: u16) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

impl Offering {
    /// The list most municipalities adopt: the five documents, the seed's hours, kiosk fees
    /// ¥100 under the counter's for 住民票 and 印鑑登録証明書.
    pub fn standard() -> Self {
        let doc = |kind, kiosk_fee, counter_fee| Offered { kind, kiosk_fee, counter_fee, number_allowed: false };
        Self {
            kiosk: true,
            documents: vec![
                Offered { number_allowed: true, ..doc(DocKind::ResidentCopy, 200, 300) },
                doc(DocKind::ResidentItems, 200, 300),
                doc(DocKind::SealRegistration, 200, 300),
                doc(DocKind::TaxIncome, 300, 300),
                doc(DocKind::FamilyRegisterAddresses, 300, 300),
            ],
            opens: 6 * 60 + 30,
            closes: 23 * 60,
        }
    }

    pub fn offered(&self, kind: DocKind) -> Option<&Offered> {
        self.documents.iter().find(|d| d.kind == kind)
    }

    fn check(&self, kind: DocKind, options: &Options) -> Result<&Offered, Refusal> {
        let offered = self.offered(kind).ok_or(Refusal::NotOffered(kind))?;
        if options.number && !(offered.number_allowed && kind == DocKind::ResidentCopy) {
            return Err(Refusal::NumberNotAllowed);
        }
        if kind == DocKind::TaxIncome && options.year.is_none() {
            return Err(Refusal::NoYear);
        }
        Ok(offered)
    }

    /// The fee at a kiosk at `at`, or why not then.
    pub fn kiosk_fee(&self, kind: DocKind, options: &Options, at: OffsetDateTime) -> Result<u32, Refusal> {
        if !self.kiosk {
            return Err(Refusal::NoKioskService);
        }
        let offered = self.check(kind, options)?;
        let local = at.to_offset(JST);
        let (month, day) = (u8::from(local.month()), local.day());
        if (month == 12 && day >= 29) || (month == 1 && day <= 3) {
            return Err(Refusal::YearEnd);
        }
        let minute = u16::from(local.hour()) * 60 + u16::from(local.minute());
        if minute < self.opens || minute >= self.closes {
            return Err(Refusal::OutsideHours { opens: clock(self.opens), closes: clock(self.closes) });
        }
        Ok(offered.kiosk_fee)
    }

    /// The fee at the municipality's counter (open in office hours, which the clerk keeps).
    pub fn counter_fee(&self, kind: DocKind, options: &Options) -> Result<u32, Refusal> {
        Ok(self.check(kind, options)?.counter_fee)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_kiosk_keeps_the_seeds_hours_and_the_year_end_closure() {
        let o = Offering::standard();
        let copy = Options::default();
        // 06:29 and 06:30 JST are 21:29 and 21:30 UTC the day before.
        let early = datetime!(2026-12-06 21:29 UTC);
        assert!(matches!(o.kiosk_fee(DocKind::ResidentCopy, &copy, early), Err(Refusal::OutsideHours { .. })));
        assert_eq!(o.kiosk_fee(DocKind::ResidentCopy, &copy, datetime!(2026-12-06 21:30 UTC)), Ok(200));
        assert_eq!(o.kiosk_fee(DocKind::ResidentCopy, &copy, datetime!(2026-12-07 13:59 UTC)), Ok(200));
        let late = datetime!(2026-12-07 14:00 UTC); // 23:00 JST
        assert!(matches!(o.kiosk_fee(DocKind::ResidentCopy, &copy, late), Err(Refusal::OutsideHours { .. })));
        for at in [datetime!(2026-12-29 03:00 UTC), datetime!(2027-01-03 03:00 UTC), datetime!(2026-12-28 15:30 UTC)] {
            assert_eq!(o.kiosk_fee(DocKind::ResidentCopy, &copy, at), Err(Refusal::YearEnd), "{at}");
        }
        assert_eq!(o.kiosk_fee(DocKind::ResidentCopy, &copy, datetime!(2027-01-04 00:00 UTC)), Ok(200));
    }

    #[test]
    fn a_municipality_decides_what_it_issues_and_whether_the_number_is_printed() {
        let mut o = Offering::standard();
        o.documents.retain(|d| d.kind != DocKind::SealRegistration);
        let noon = datetime!(2026-12-07 03:00 UTC);
        assert_eq!(
            o.kiosk_fee(DocKind::SealRegistration, &Options::default(), noon),
            Err(Refusal::NotOffered(DocKind::SealRegistration))
        );
        let number = Options { number: true, ..Options::default() };
        assert_eq!(o.kiosk_fee(DocKind::ResidentCopy, &number, noon), Ok(200));
        assert_eq!(o.kiosk_fee(DocKind::ResidentItems, &number, noon), Err(Refusal::NumberNotAllowed));
        assert_eq!(o.counter_fee(DocKind::TaxIncome, &Options::default()), Err(Refusal::NoYear));
        assert_eq!(o.counter_fee(DocKind::ResidentCopy, &Options::default()), Ok(300));
        o.kiosk = false;
        assert_eq!(o.kiosk_fee(DocKind::ResidentCopy, &Options::default(), noon), Err(Refusal::NoKioskService));
    }
}
