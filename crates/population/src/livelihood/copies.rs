//! What each agency holds of a household, in the data standard layout (`layouts.json` of
//! myna-link): the municipality its residents' record, tax, allowances and 国保 (and, in a
//! designated city, the disability certificates); the prefecture the disability certificates,
//! 特別児童扶養手当 and a town's or village's 児童扶養手当; the welfare office (the city's, or the
//! prefecture's for a town or village) public assistance; the pension service
//! its pensioners; each insurer its insured and their dependants.

use serde_json::{Value, json};

use super::{Household, cover::Scheme, insurer};

/// An agency that holds copies, by what identifies it on the network.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Holder {
    /// By its local government code (a designated city, not its wards).
    Municipality(String),
    /// By the prefecture's own code (東京都 130001).
    Prefecture(String),
    /// The welfare office of a city (by its code) or of the prefecture (by the prefecture's).
    WelfareOffice(String),
    PensionService,
    /// By 保険者番号.
    Insurer(String),
    /// 公金受取口座登録システム.
    AccountRegistry,
}

impl Holder {
    /// Its id on the linkage network (the common name of its certificate).
    pub fn agency_id(&self) -> String {
        match self {
            Holder::Municipality(c) => format!("municipality:{c}"),
            Holder::Prefecture(c) => format!("prefecture:{c}"),
            Holder::WelfareOffice(c) => format!("welfare_office:{c}"),
            Holder::PensionService => "pension_service".into(),
            Holder::Insurer(n) => format!("health_insurer:{n}"),
            Holder::AccountRegistry => "account_registry".into(),
        }
    }
}

/// One copy (副本): who holds it, of which member, which item, and the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub holder: Holder,
    pub member: usize,
    pub item: &'static str,
    pub data: Value,
}

fn day(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// The municipality that keeps a resident of `lg_code` (a ward's city).
pub fn municipality_of(lg_code: &str) -> String {
    myna_text::address::Gazetteer::embedded().city_of_ward(lg_code).unwrap_or(lg_code).to_string()
}

/// A town or village (町村) has no welfare office of its own: its prefecture's serves it.
fn welfare_office_of(lg_code: &str) -> String {
    let city = municipality_of(lg_code);
    let g = myna_text::address::Gazetteer::embedded();
    let small = g.by_code(&city).is_some_and(|m| m.county.chars().count() > 0);
    if small { insurer::prefecture_code(&city) } else { city }
}

/// Every copy the country's agencies hold of `h`.
pub fn copies(h: &Household) -> Vec<Copy> {
    let mut out = Vec::new();
    let Some(head) = h.members.iter().find(|m| m.person.relationship == myna_registry::Relationship::Head) else {
        return out;
    };
    let household: Vec<Value> = h
        .members
        .iter()
        .map(|m| json!({"name": m.person.name, "relationship": m.person.relationship.label_ja(), "birth": day(m.person.birth)}))
        .collect();
    for (i, m) in h.members.iter().enumerate() {
        let city = municipality_of(&m.person.lg_code);
        let pref = insurer::prefecture_code(&city);
        let mut add =
            |holder: Holder, item: &'static str, data: Value| out.push(Copy { holder, member: i, item, data });
        add(
            Holder::Municipality(city.clone()),
            "resident_record",
            json!({"name": m.person.name, "birth": day(m.person.birth), "household_head": head.person.name,
                "relationship": m.person.relationship.label_ja(), "members": household}),
        );
        if m.age >= 16 || m.tax.total_income > 0 {
            let dependants: Vec<Value> = m
                .dependants
                .iter()
                .filter_map(|&j| h.members.get(j))
                .map(|d| json!({"relationship": d.person.relationship.label_ja(), "birth": day(d.person.birth)}))
                .collect();
            add(
                Holder::Municipality(city.clone()),
                "local_tax",
                json!({"fiscal_year": m.tax.fiscal_year, "taxable_income": m.tax.taxable, "tax_amount": m.tax.income_levy,
                    "non_taxable": m.tax.non_taxable, "dependants": dependants}),
            );
        }
        if let Some(a) = &m.child_allowance {
            let children: Vec<Value> = a
                .children
                .iter()
                .map(|c| json!({"birth": day(c.birth), "order": c.order, "monthly": c.monthly}))
                .collect();
            add(
                Holder::Municipality(city.clone()),
                "child_allowance",
                json!({"children": children, "monthly_total": a.monthly_total, "payment_months": "2月・4月・6月・8月・10月・12月", "since": day(a.since)}),
            );
        }
        // 児童扶養手当: the city's, or the prefecture's for a town or village (no welfare office).
        let small = welfare_office_of(&m.person.lg_code) != city;
        if let Some(monthly) = m.child_rearing {
            add(
                if small { Holder::Prefecture(pref.clone()) } else { Holder::Municipality(city.clone()) },
                "child_rearing_allowance",
                json!({"certified": true, "monthly_amount": monthly, "certificate_number": format!("{}-{:06}", &city[..5], i + 1)}),
            );
        }
        let insurance = |c: &super::Cover| json!({"insurer_number": c.insurer, "symbol": c.symbol, "number": c.number, "valid_from": day(c.since)});
        match (m.cover.scheme, &m.cover.insurer) {
            (Scheme::MedicalAid, _) | (_, None) => {}
            (Scheme::National, Some(_)) => {
                add(Holder::Municipality(city.clone()), "medical_insurance", insurance(&m.cover));
            }
            (_, Some(number)) => add(Holder::Insurer(number.clone()), "medical_insurance", insurance(&m.cover)),
        }
        if !m.pensions.is_empty() {
            let names: Vec<&str> = m.pensions.iter().map(|p| p.name_ja()).collect();
            let since = m.pensions.iter().map(|p| p.since).min().map(day);
            add(
                Holder::PensionService,
                "pension_benefit",
                json!({"pension": names.join("・"), "annual_amount": m.pensions.iter().map(|p| p.annual).sum::<u64>(), "since": since}),
            );
        }
        // A designated city issues its own residents' certificates; elsewhere the prefecture.
        let designated = myna_text::address::Gazetteer::embedded().city_of_ward(&m.person.lg_code).is_some();
        if let Some(d) = &m.disability {
            add(
                if designated { Holder::Municipality(city.clone()) } else { Holder::Prefecture(pref.clone()) },
                "disability",
                json!({"handbook": d.handbook.name_ja(), "grade": d.grade, "issued_on": day(d.issued_on)}),
            );
        }
        if let Some((grade, _)) = m.special_child {
            add(
                Holder::Prefecture(pref.clone()),
                "special_child_allowance",
                json!({"certified": true, "grade": format!("{grade}級")}),
            );
        }
        if let Some(a) = &m.account {
            let codes = myna_zengin::Codes::embedded();
            let holder = myna_zengin::to_zengin(&m.person.kana).unwrap_or_default();
            add(
                Holder::AccountRegistry,
                "public_fund_account",
                json!({"bank": a.bank, "bank_name": codes.bank(a.bank).map(|b| b.name).unwrap_or_default(),
                    "branch": a.branch, "branch_name": codes.branch(a.bank, a.branch).map(|b| b.name).unwrap_or_default(),
                    "kind": a.kind.name_ja(), "number": a.number, "holder": holder, "payable": true}),
            );
        }
        if let Some(since) = h.assistance {
            add(
                Holder::WelfareOffice(welfare_office_of(&m.person.lg_code)),
                "public_assistance",
                json!({"receiving": true, "started_on": day(since), "kinds": "生活扶助・住宅扶助・医療扶助"}),
            );
        }
    }
    out
}
