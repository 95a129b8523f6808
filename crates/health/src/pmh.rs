//! The public medical hub (PMH): what municipalities register for facilities to read at
//! reception — recipient certificates of medical subsidies, vaccinations, maternal-health
//! checkups — and the reminders a resident gets when a routine vaccination is due.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::insurance::{ymd_serde, ymd_serde_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyKind {
    /// 子ども医療費助成.
    ChildMedical,
    /// 指定難病 (特定医療費).
    IntractableDisease,
    /// ひとり親家庭等医療費助成.
    SingleParent,
    /// 重度心身障害者医療費助成.
    SevereDisability,
}

impl SubsidyKind {
    pub fn ja(self) -> &'static str {
        match self {
            Self::ChildMedical => "子ども医療費助成",
            Self::IntractableDisease => "指定難病（特定医療費）",
            Self::SingleParent => "ひとり親家庭等医療費助成",
            Self::SevereDisability => "重度心身障害者医療費助成",
        }
    }
}

/// A record a municipality registers for a resident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum PmhRecord {
    /// 受給者証: what the facility needs to bill the subsidy instead of the patient.
    Subsidy {
        kind: SubsidyKind,
        /// 公費負担者番号 (8 digits).
        payer: String,
        /// 公費受給者番号 (7 digits).
        recipient: String,
        /// The patient's share per visit or month (yen; 0 when free).
        copay_yen: u32,
        #[serde(with = "ymd_serde")]
        valid_from: Date,
        #[serde(default, with = "ymd_serde_opt")]
        valid_to: Option<Date>,
    },
    Vaccination {
        vaccine: String,
        dose: u8,
        #[serde(with = "ymd_serde")]
        on: Date,
        place: String,
    },
    /// 妊婦健康診査.
    MaternalCheckup {
        #[serde(with = "ymd_serde")]
        on: Date,
        week: u8,
        institution: String,
        #[serde(default)]
        note: String,
    },
}

fn digits(name: &str, s: &str, n: usize) -> Result<(), String> {
    if s.len() != n || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{name} is {n} digits"));
    }
    Ok(())
}

fn line(name: &str, s: &str, max: usize) -> Result<(), String> {
    if s.trim().is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(format!("{name}: 1–{max} characters on one line"));
    }
    Ok(())
}

impl PmhRecord {
    pub fn check(&self) -> Result<(), String> {
        match self {
            Self::Subsidy { payer, recipient, valid_from, valid_to, .. } => {
                digits("公費負担者番号 (payer)", payer, 8)?;
                digits("公費受給者番号 (recipient)", recipient, 7)?;
                if valid_to.is_some_and(|t| t < *valid_from) {
                    return Err("valid_to is before valid_from".into());
                }
                Ok(())
            }
            Self::Vaccination { vaccine, dose, place, .. } => {
                let v = VACCINES.iter().find(|v| v.id == vaccine).ok_or_else(|| {
                    format!(
                        "unknown vaccine {:?}; known: {}",
                        vaccine.chars().take(20).collect::<String>(),
                        VACCINES.iter().map(|v| v.id).collect::<Vec<_>>().join(", ")
                    )
                })?;
                if *dose == 0 || *dose > v.doses {
                    return Err(format!("{} has doses 1–{}", v.ja, v.doses));
                }
                line("place", place, 80)
            }
            Self::MaternalCheckup { week, institution, note, .. } => {
                if !(4..=42).contains(week) {
                    return Err("week of pregnancy is 4–42".into());
                }
                line("institution", institution, 80)?;
                if note.chars().count() > 500 {
                    return Err("note: at most 500 characters".into());
                }
                Ok(())
            }
        }
    }

    /// Whether a facility sees it at reception on `day` (an ended subsidy is not shown).
    pub fn current_on(&self, day: Date) -> bool {
        match self {
            Self::Subsidy { valid_from, valid_to, .. } => *valid_from <= day && valid_to.is_none_or(|t| day <= t),
            _ => true,
        }
    }
}

/// A routine childhood vaccination (定期接種) and when it is due, in months of age.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Vaccine {
    pub id: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    pub doses: u8,
    /// Due from this age (months) until `until` months.
    pub from_months: i32,
    pub until_months: i32,
}

/// Routine vaccinations of the 予防接種法 schedule (the recommended start, not the legal limits).
pub const VACCINES: &[Vaccine] = &[
    Vaccine { id: "hib", ja: "ヒブ", en: "Hib", doses: 4, from_months: 2, until_months: 60 },
    Vaccine {
        id: "pcv", ja: "小児用肺炎球菌", en: "Pneumococcal (PCV)", doses: 4, from_months: 2, until_months: 60
    },
    Vaccine { id: "hepb", ja: "B型肝炎", en: "Hepatitis B", doses: 3, from_months: 2, until_months: 12 },
    Vaccine { id: "dpt_ipv_hib", ja: "五種混合", en: "DPT-IPV-Hib", doses: 4, from_months: 2, until_months: 90 },
    Vaccine { id: "bcg", ja: "BCG", en: "BCG", doses: 1, from_months: 5, until_months: 12 },
    Vaccine {
        id: "mr",
        ja: "麻しん風しん（MR）",
        en: "Measles-rubella (MR)",
        doses: 2,
        from_months: 12,
        until_months: 84,
    },
    Vaccine { id: "varicella", ja: "水痘", en: "Varicella", doses: 2, from_months: 12, until_months: 36 },
    Vaccine { id: "je", ja: "日本脳炎", en: "Japanese encephalitis", doses: 4, from_months: 36, until_months: 156 },
    Vaccine { id: "hpv", ja: "HPV", en: "HPV", doses: 3, from_months: 144, until_months: 192 },
];

/// A vaccination the resident (or their child) should have now.
#[derive(Debug, Clone, Serialize)]
pub struct Reminder {
    pub vaccine: &'static Vaccine,
    /// The next dose due.
    pub dose: u8,
}

/// What is due for someone born on `birth`, on `today`, given what is recorded.
pub fn reminders(birth: Date, today: Date, records: &[PmhRecord]) -> Vec<Reminder> {
    let months = (today.year() - birth.year()) * 12 + (today.month() as i32 - birth.month() as i32)
        - i32::from(today.day() < birth.day());
    VACCINES
        .iter()
        .filter(|v| (v.from_months..v.until_months).contains(&months))
        .filter_map(|v| {
            let done = records
                .iter()
                .filter(|r| matches!(r, PmhRecord::Vaccination { vaccine, .. } if vaccine == v.id))
                .count() as u8;
            (done < v.doses).then_some(Reminder { vaccine: v, dose: done + 1 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_date;

    #[test]
    fn a_one_year_old_is_reminded_of_mr_until_it_is_recorded() {
        let birth = parse_date("2025-06-10").unwrap();
        let today = parse_date("2026-07-01").unwrap();
        let due: Vec<&str> = reminders(birth, today, &[]).iter().map(|r| r.vaccine.id).collect();
        assert!(due.contains(&"mr") && !due.contains(&"bcg") && !due.contains(&"je"), "{due:?}");
        let given =
            PmhRecord::Vaccination {
                vaccine: "mr".into(), dose: 1, on: today, place: "千代田区こども診療所".into()
            };
        given.check().unwrap();
        let next = reminders(birth, today, &[given]);
        assert_eq!(next.iter().find(|r| r.vaccine.id == "mr").unwrap().dose, 2);
        let bad = PmhRecord::Vaccination { vaccine: "mr".into(), dose: 3, on: today, place: "x".into() };
        assert!(bad.check().unwrap_err().contains("doses 1–2"));
    }
}
