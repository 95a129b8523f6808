//! Health insurance on a day: everyone has exactly one cover. From 75, 後期高齢者医療 of the
//! prefecture; an employee, the employer's insurer; a spouse, child or parent earning under
//! the dependant line (¥1.3 M a year, ¥1.8 M from 60) of an employee in the household, that
//! insurer as 被扶養者; everyone else, 国民健康保険 of the municipality. A household on public
//! assistance has 医療扶助 instead of 国保 (and of 後期高齢者医療).

use time::Date;

use super::{insurer, work::Employer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// 被保険者 of an employee insurer.
    Employee(Employer),
    /// 被扶養者 of an employee in the household.
    Dependant(Employer),
    /// 国民健康保険 of the municipality.
    National,
    /// 後期高齢者医療 of the prefecture's 広域連合.
    LateStage,
    /// 医療扶助 under 生活保護: no insurer.
    MedicalAid,
}

impl Scheme {
    pub fn name_ja(self) -> &'static str {
        match self {
            Scheme::Employee(Employer::Kyokai) | Scheme::Dependant(Employer::Kyokai) => "協会けんぽ",
            Scheme::Employee(Employer::Kumiai) | Scheme::Dependant(Employer::Kumiai) => "組合健保",
            Scheme::Employee(Employer::Kyosai) | Scheme::Dependant(Employer::Kyosai) => "共済組合",
            Scheme::National => "国民健康保険",
            Scheme::LateStage => "後期高齢者医療",
            Scheme::MedicalAid => "医療扶助",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cover {
    pub scheme: Scheme,
    /// 保険者番号 (`None` under 医療扶助).
    pub insurer: Option<String>,
    /// 記号 and 番号 on the card (a dependant shares the insured's).
    pub symbol: String,
    pub number: String,
    /// 資格取得日.
    pub since: Date,
}

/// The insurer number for a scheme and where the person lives.
pub fn insurer_of(scheme: Scheme, lg_code: &str) -> Option<String> {
    let pref = lg_code.get(..2).unwrap_or("13");
    let city = super::municipality_of(lg_code);
    match scheme {
        Scheme::Employee(e) | Scheme::Dependant(e) => Some(match e {
            Employer::Kyokai => insurer::kyokai_branch(pref),
            Employer::Kumiai => insurer::KUMIAI.into(),
            Employer::Kyosai => insurer::KYOSAI.into(),
        }),
        Scheme::National => Some(insurer::national_insurance(&city)),
        Scheme::LateStage => Some(insurer::late_stage_union(pref)),
        Scheme::MedicalAid => None,
    }
}
