//! Medical information from claims: what a pharmacy dispensed (薬剤情報), checkup results
//! (特定健診情報) against their referral thresholds, and medical-expense notices (医療費通知).

use serde::{Deserialize, Serialize};
use time::Date;

use crate::insurance::ymd_serde;

/// 調剤区分 / 使用区分, as the medication list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dispensing {
    #[serde(rename = "内服")]
    Internal,
    #[serde(rename = "外用")]
    External,
    #[serde(rename = "屯服")]
    AsNeeded,
    #[serde(rename = "注射")]
    Injection,
    #[serde(rename = "在宅")]
    Home,
}

impl Dispensing {
    pub fn parse(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.trim().to_string())).map_err(|_| {
            format!("調剤区分 is one of 内服, 外用, 屯服, 注射, 在宅; got {:?}", s.chars().take(10).collect::<String>())
        })
    }

    pub fn ja(self) -> &'static str {
        match self {
            Self::Internal => "内服",
            Self::External => "外用",
            Self::AsNeeded => "屯服",
            Self::Injection => "注射",
            Self::Home => "在宅",
        }
    }
}

/// One dispensed medicine (薬剤情報明細の一行).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Medication {
    #[serde(with = "ymd_serde")]
    pub dispensed_on: Date,
    /// The pharmacy or facility that dispensed it.
    pub pharmacy: String,
    /// The facility whose prescription it was (処方発行医療機関).
    pub prescriber: String,
    pub dispensing: Dispensing,
    /// As dispensed, with any prefix such as 向) for psychotropics.
    pub drug: String,
    /// 用法 / 1回用量 (e.g. 1日3回食後服用).
    pub usage: String,
    /// 調剤数量 per day or in total (e.g. 3錠).
    pub quantity: String,
    /// 日分 (1 for a single 屯服 prescription).
    pub days: u16,
    /// 自己負担相当額 (yen), when the claim carries it.
    pub self_pay: Option<u32>,
    /// 削減可能額 if switched to a generic (yen).
    pub generic_saving: Option<u32>,
}

/// A referral threshold (受診勧奨判定値): at or above (▲), or at or below (▽).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    AtLeast(f64),
    AtMost(f64),
}

impl Threshold {
    pub fn flags(self, v: f64) -> bool {
        match self {
            Self::AtLeast(t) => v >= t,
            Self::AtMost(t) => v <= t,
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::AtLeast(t) => format!("▲{t}以上"),
            Self::AtMost(t) => format!("▽{t}以下"),
        }
    }
}

/// A checkup item, its group on the screen, its unit, and its threshold if it has one.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CheckupItem {
    pub id: &'static str,
    pub group_ja: &'static str,
    pub group_en: &'static str,
    pub ja: &'static str,
    pub en: &'static str,
    pub unit: &'static str,
    pub threshold: Option<Threshold>,
}

const fn item(
    id: &'static str,
    group_ja: &'static str,
    group_en: &'static str,
    ja: &'static str,
    en: &'static str,
    unit: &'static str,
    threshold: Option<Threshold>,
) -> CheckupItem {
    CheckupItem { id, group_ja, group_en, ja, en, unit, threshold }
}

/// The items of seed 000's checkup screen (特定健診情報の閲覧イメージ), in its order.
///
/// Thresholds are the referral values (受診勧奨判定値) of MHLW's 標準的な健診・保健指導プログラム.
/// The seed's screen agrees on every item but LDL and non-HDL cholesterol, where its image
/// reads "90以上" for both; the programme's values (140 and 170) are used here, since 90 would
/// refer most healthy adults.
pub const CHECKUP_ITEMS: &[CheckupItem] = &[
    item("height", "身体測定", "Body measurements", "身長", "Height", "cm", None),
    item("weight", "身体測定", "Body measurements", "体重", "Weight", "kg", None),
    item("waist", "身体測定", "Body measurements", "腹囲", "Waist", "cm", None),
    item("visceral_fat", "身体測定", "Body measurements", "内臓脂肪面積", "Visceral fat area", "cm²", None),
    item("bmi", "身体測定", "Body measurements", "BMI", "BMI", "", None),
    item("systolic", "血圧", "Blood pressure", "収縮期血圧", "Systolic", "mmHg", Some(Threshold::AtLeast(140.0))),
    item("diastolic", "血圧", "Blood pressure", "拡張期血圧", "Diastolic", "mmHg", Some(Threshold::AtLeast(90.0))),
    item("triglycerides", "血中脂質", "Lipids", "中性脂肪", "Triglycerides", "mg/dl", Some(Threshold::AtLeast(300.0))),
    item("hdl", "血中脂質", "Lipids", "HDLコレステロール", "HDL cholesterol", "mg/dl", Some(Threshold::AtMost(34.0))),
    item("ldl", "血中脂質", "Lipids", "LDLコレステロール", "LDL cholesterol", "mg/dl", Some(Threshold::AtLeast(140.0))),
    item(
        "non_hdl",
        "血中脂質",
        "Lipids",
        "Non-HDLコレステロール",
        "Non-HDL cholesterol",
        "mg/dl",
        Some(Threshold::AtLeast(170.0)),
    ),
    item("ast", "肝機能", "Liver", "GOT (AST)", "AST", "U/l", Some(Threshold::AtLeast(51.0))),
    item("alt", "肝機能", "Liver", "GPT (ALT)", "ALT", "U/l", Some(Threshold::AtLeast(51.0))),
    item("ggt", "肝機能", "Liver", "γ-GT (γ-GTP)", "γ-GT", "U/l", Some(Threshold::AtLeast(101.0))),
    item(
        "fasting_glucose",
        "血糖",
        "Glucose",
        "空腹時血糖",
        "Fasting glucose",
        "mg/dl",
        Some(Threshold::AtLeast(126.0)),
    ),
    item("hba1c", "血糖", "Glucose", "HbA1c", "HbA1c", "%", Some(Threshold::AtLeast(6.5))),
    item("casual_glucose", "血糖", "Glucose", "随時血糖", "Casual glucose", "mg/dl", Some(Threshold::AtLeast(126.0))),
];

pub fn checkup_item(id: &str) -> Option<&'static CheckupItem> {
    CHECKUP_ITEMS.iter().find(|i| i.id == id)
}

/// One checkup: where and when, and the measured values by item id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckupResult {
    #[serde(with = "ymd_serde")]
    pub on: Date,
    pub institution: String,
    pub values: Vec<(String, f64)>,
}

/// A value beside its threshold.
#[derive(Debug, Clone, Serialize)]
pub struct Flag {
    pub item: &'static CheckupItem,
    pub value: f64,
    /// At or past the referral threshold.
    pub refer: bool,
}

impl CheckupResult {
    pub fn value(&self, id: &str) -> Option<f64> {
        self.values.iter().find(|(k, _)| k == id).map(|(_, v)| *v)
    }

    /// Every value with its item and whether it is past the threshold, in the screen's order.
    pub fn flags(&self) -> Vec<Flag> {
        CHECKUP_ITEMS
            .iter()
            .filter_map(|item| {
                self.value(item.id).map(|value| Flag {
                    item,
                    value,
                    refer: item.threshold.is_some_and(|t| t.flags(value)),
                })
            })
            .collect()
    }
}

/// 医療費通知: one month's care at one facility.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expense {
    /// YYYY-MM of the care.
    pub month: String,
    pub facility: String,
    /// 入院, 外来, 歯科 or 調剤.
    pub kind: String,
    pub days: u16,
    /// 医療費の総額 (yen).
    pub total: u32,
    /// What the patient paid at the counter (窓口負担相当額, yen).
    pub paid: u32,
}

pub const EXPENSE_KINDS: &[&str] = &["入院", "外来", "歯科", "調剤"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_flag_at_the_boundary_in_the_seeds_direction() {
        let r = CheckupResult {
            on: crate::parse_date("2020-07-04").unwrap(),
            institution: "XXXXXクリニック".into(),
            // Seed 000's first date.
            values: vec![
                ("systolic".into(), 150.0),
                ("diastolic".into(), 80.0),
                ("hdl".into(), 34.0),
                ("ast".into(), 51.0),
                ("alt".into(), 49.0),
                ("hba1c".into(), 5.4),
                ("height".into(), 172.3),
            ],
        };
        let flagged: Vec<&str> = r.flags().iter().filter(|f| f.refer).map(|f| f.item.id).collect();
        assert_eq!(flagged, vec!["systolic", "hdl", "ast"]);
        assert_eq!(r.flags()[0].item.id, "height", "the screen's order");
        assert_eq!(Threshold::AtMost(34.0).label(), "▽34以下");
    }
}
