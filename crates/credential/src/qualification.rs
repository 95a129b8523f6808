//! The 32 social-security and tax qualifications whose registrations move to the
//! qualification system first (seed 001: 「社会保障等に係る32資格」), each with who keeps its
//! register. A qualification not among them is refused by name.

use serde::{Deserialize, Serialize};

/// Who keeps a qualification's register (the minister's designated bodies are named as the
/// register's keeper the holder deals with).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Administrator {
    /// 厚生労働省 (the Minister of Health, Labour and Welfare).
    Mhlw,
    /// 都道府県知事 (the prefecture's governor).
    Prefecture,
    /// こども家庭庁 via the prefectures (保育士).
    ChildrenAndFamilies,
    /// 全国社会保険労務士会連合会.
    SharoushiFederation,
    /// 日本税理士会連合会.
    TaxAccountantsFederation,
    /// 社会福祉振興・試験センター (a designated registration body).
    WelfareFoundation,
}

impl Administrator {
    pub fn ja(self) -> &'static str {
        match self {
            Self::Mhlw => "厚生労働省",
            Self::Prefecture => "都道府県",
            Self::ChildrenAndFamilies => "都道府県（こども家庭庁所管）",
            Self::SharoushiFederation => "全国社会保険労務士会連合会",
            Self::TaxAccountantsFederation => "日本税理士会連合会",
            Self::WelfareFoundation => "社会福祉振興・試験センター",
        }
    }
}

macro_rules! qualifications {
    ($($variant:ident $id:literal $ja:literal $en:literal $admin:ident;)*) => {
        /// One of the 32 qualifications.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Qualification { $($variant,)* }

        impl Qualification {
            pub const ALL: &'static [Qualification] = &[$(Self::$variant,)*];

            /// Its id in URLs and credential types.
            pub fn id(self) -> &'static str { match self { $(Self::$variant => $id,)* } }
            pub fn ja(self) -> &'static str { match self { $(Self::$variant => $ja,)* } }
            pub fn en(self) -> &'static str { match self { $(Self::$variant => $en,)* } }
            pub fn administrator(self) -> Administrator { match self { $(Self::$variant => Administrator::$admin,)* } }
        }
    };
}

qualifications! {
    Physician "physician" "医師" "Physician" Mhlw;
    Dentist "dentist" "歯科医師" "Dentist" Mhlw;
    Pharmacist "pharmacist" "薬剤師" "Pharmacist" Mhlw;
    Nurse "nurse" "看護師" "Registered nurse" Mhlw;
    AssistantNurse "assistant_nurse" "准看護師" "Assistant nurse" Prefecture;
    PublicHealthNurse "public_health_nurse" "保健師" "Public health nurse" Mhlw;
    Midwife "midwife" "助産師" "Midwife" Mhlw;
    PhysicalTherapist "physical_therapist" "理学療法士" "Physical therapist" Mhlw;
    OccupationalTherapist "occupational_therapist" "作業療法士" "Occupational therapist" Mhlw;
    Orthoptist "orthoptist" "視能訓練士" "Orthoptist" Mhlw;
    Prosthetist "prosthetist" "義肢装具士" "Prosthetist and orthotist" Mhlw;
    SpeechTherapist "speech_therapist" "言語聴覚士" "Speech-language-hearing therapist" Mhlw;
    LabTechnologist "lab_technologist" "臨床検査技師" "Medical technologist" Mhlw;
    ClinicalEngineer "clinical_engineer" "臨床工学技士" "Clinical engineer" Mhlw;
    Radiographer "radiographer" "診療放射線技師" "Radiological technologist" Mhlw;
    DentalHygienist "dental_hygienist" "歯科衛生士" "Dental hygienist" Mhlw;
    DentalTechnician "dental_technician" "歯科技工士" "Dental technician" Mhlw;
    Massage "massage" "あん摩マッサージ指圧師" "Anma massage and shiatsu practitioner" Mhlw;
    Acupuncturist "acupuncturist" "はり師" "Acupuncturist" Mhlw;
    Moxibustionist "moxibustionist" "きゅう師" "Moxibustion practitioner" Mhlw;
    JudoTherapist "judo_therapist" "柔道整復師" "Judo therapist" Mhlw;
    Paramedic "paramedic" "救急救命士" "Emergency life-saving technician" Mhlw;
    CareWorker "care_worker" "介護福祉士" "Certified care worker" WelfareFoundation;
    SocialWorker "social_worker" "社会福祉士" "Certified social worker" WelfareFoundation;
    PsychiatricSocialWorker "psychiatric_social_worker" "精神保健福祉士" "Psychiatric social worker" WelfareFoundation;
    Psychologist "psychologist" "公認心理師" "Certified public psychologist" Mhlw;
    RegisteredDietitian "registered_dietitian" "管理栄養士" "Registered dietitian" Mhlw;
    Dietitian "dietitian" "栄養士" "Dietitian" Prefecture;
    Childcare "childcare" "保育士" "Nursery teacher" ChildrenAndFamilies;
    CareManager "care_manager" "介護支援専門員" "Care manager" Prefecture;
    Sharoushi "sharoushi" "社会保険労務士" "Labour and social security attorney" SharoushiFederation;
    TaxAccountant "tax_accountant" "税理士" "Certified tax accountant" TaxAccountantsFederation;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("「{0}」は対象の32資格にありません / {0:?} is not among the 32 qualifications")]
pub struct NotAQualification(pub String);

impl std::str::FromStr for Qualification {
    type Err = NotAQualification;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.iter().copied().find(|q| q.id() == s || q.ja() == s).ok_or_else(|| NotAQualification(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_thirty_two_each_once() {
        assert_eq!(Qualification::ALL.len(), 32);
        let ids: std::collections::HashSet<_> = Qualification::ALL.iter().map(|q| q.id()).collect();
        assert_eq!(ids.len(), 32);
        assert_eq!("医師".parse(), Ok(Qualification::Physician));
        assert_eq!("tax_accountant".parse(), Ok(Qualification::TaxAccountant));
        assert!("弁護士".parse::<Qualification>().is_err(), "not among the 32");
        assert_eq!(Qualification::TaxAccountant.administrator().ja(), "日本税理士会連合会");
    }
}
