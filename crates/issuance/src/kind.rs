//! The documents a municipality issues at a store's kiosk or its counter (seed 003: 住民票の写し,
//! 課税証明書 and others; REFERENCE §9), and the options a resident chooses.

use serde::{Deserialize, Serialize};

/// A kind of document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// 住民票の写し: the resident's (or their household's) entry in the resident register.
    ResidentCopy,
    /// 住民票記載事項証明書: chosen items of the entry, certified.
    ResidentItems,
    /// 印鑑登録証明書: the registered seal, for a resident who registered one.
    SealRegistration,
    /// 課税・所得証明書: income and municipal tax of a year, from the municipality's tax data.
    TaxIncome,
    /// 戸籍の附票の写し: the addresses kept with the family register, where the municipality
    /// holds the register.
    FamilyRegisterAddresses,
}

impl DocKind {
    pub const ALL: [DocKind; 5] = [
        Self::ResidentCopy,
        Self::ResidentItems,
        Self::SealRegistration,
        Self::TaxIncome,
        Self::FamilyRegisterAddresses,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Self::ResidentCopy => "resident_copy",
            Self::ResidentItems => "resident_items",
            Self::SealRegistration => "seal_registration",
            Self::TaxIncome => "tax_income",
            Self::FamilyRegisterAddresses => "family_register_addresses",
        }
    }

    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The document's title as printed.
    pub fn ja(self) -> &'static str {
        match self {
            Self::ResidentCopy => "住民票の写し",
            Self::ResidentItems => "住民票記載事項証明書",
            Self::SealRegistration => "印鑑登録証明書",
            Self::TaxIncome => "課税・所得証明書",
            Self::FamilyRegisterAddresses => "戸籍の附票の写し",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::ResidentCopy => "Certificate of residence (copy of the resident record)",
            Self::ResidentItems => "Certificate of items in the resident record",
            Self::SealRegistration => "Certificate of seal registration",
            Self::TaxIncome => "Certificate of taxation and income",
            Self::FamilyRegisterAddresses => "Copy of the family register's address record",
        }
    }

    /// The sentence that certifies the document, printed above the issuer.
    pub fn attestation(self) -> &'static str {
        match self {
            Self::ResidentCopy => "この写しは、住民票の原本と相違ないことを証明する。",
            Self::ResidentItems => "上記の事項は、住民票に記載されていることを証明する。",
            Self::SealRegistration => "この写しは、登録されている印影と相違ないことを証明する。",
            Self::TaxIncome => "上記のとおり相違ないことを証明する。",
            Self::FamilyRegisterAddresses => "この写しは、戸籍の附票の原本と相違ないことを証明する。",
        }
    }
}

/// What a resident chooses for a document. Only 住民票 documents read the first four; only
/// 課税・所得証明書 reads the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Options {
    /// Everyone in the household, not only the resident.
    #[serde(default)]
    pub household: bool,
    /// 本籍・筆頭者.
    #[serde(default)]
    pub domicile: bool,
    /// 続柄 (the relationship to the head of household).
    #[serde(default)]
    pub relationship: bool,
    /// The individual number: printed only when asked for and the municipality allows it.
    #[serde(default)]
    pub number: bool,
    /// The tax year (年度) of a 課税・所得証明書.
    #[serde(default)]
    pub year: Option<i32>,
}

/// A fiscal year (年度, April to March) as forms write it: 2026 → 令和8年度, 2019 → 令和元年度.
pub fn fiscal_year_ja(year: i32) -> String {
    match year - 2018 {
        1 => "令和元年度".to_string(),
        n if n > 1 => format!("令和{n}年度"),
        _ => match year - 1988 {
            1 => "平成元年度".to_string(),
            n if n > 1 => format!("平成{n}年度"),
            _ => format!("{year}年度"),
        },
    }
}

/// The newest 年度 whose municipal tax is assessed at `at` (JST): a year's tax is decided in
/// June, so before June the newest is the year before.
pub fn assessed_year(at: time::OffsetDateTime) -> i32 {
    let jst = at.to_offset(crate::JST);
    if u8::from(jst.month()) >= 6 { jst.year() } else { jst.year() - 1 }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_assessed_year_turns_in_june() {
        use time::macros::datetime;
        assert_eq!(super::assessed_year(datetime!(2026-05-31 14:59 UTC)), 2025);
        assert_eq!(super::assessed_year(datetime!(2026-05-31 15:00 UTC)), 2026, "1 June in Japan");
    }

    #[test]
    fn fiscal_years_are_written_in_the_era() {
        assert_eq!(super::fiscal_year_ja(2026), "令和8年度");
        assert_eq!(super::fiscal_year_ja(2019), "令和元年度");
        assert_eq!(super::fiscal_year_ja(2018), "平成30年度");
    }
}
