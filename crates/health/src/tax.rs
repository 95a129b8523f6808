//! Downloads: the medication list and medical expenses as CSV, and the medical-expense
//! deduction (医療費控除) detail for the tax return — the columns of the National Tax
//! Agency's 医療費集計フォーム, which e-Tax reads.

use crate::{Expense, Medication};

fn write(rows: Vec<Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    for r in rows {
        // Writing to memory does not fail; an error would only mean a bug in csv.
        let _ = w.write_record(&r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn medication_csv(rows: &[Medication]) -> String {
    let mut out = vec![
        [
            "調剤年月日",
            "調剤区分",
            "薬局",
            "処方発行医療機関",
            "医薬品名",
            "用法",
            "調剤数量",
            "日分",
            "自己負担相当額",
            "削減可能額",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for m in rows {
        out.push(vec![
            crate::date::ymd(m.dispensed_on),
            m.dispensing.ja().into(),
            m.pharmacy.clone(),
            m.prescriber.clone(),
            m.drug.clone(),
            m.usage.clone(),
            m.quantity.clone(),
            m.days.to_string(),
            m.self_pay.map(|v| v.to_string()).unwrap_or_default(),
            m.generic_saving.map(|v| v.to_string()).unwrap_or_default(),
        ]);
    }
    write(out)
}

pub fn expenses_csv(rows: &[Expense]) -> String {
    let mut out =
        vec![["診療年月", "医療機関等", "区分", "日数", "医療費の総額", "窓口負担相当額"].map(String::from).to_vec()];
    for e in rows {
        out.push(vec![
            e.month.clone(),
            e.facility.clone(),
            e.kind.clone(),
            e.days.to_string(),
            e.total.to_string(),
            e.paid.to_string(),
        ]);
    }
    write(out)
}

/// The deduction detail for one calendar year: who received care, where, which kind of
/// expense, and what was paid. 補填される金額 (reimbursed amounts) are not known to the
/// notices and are left 0 for the filer to correct.
pub fn tax_return_csv(patient: &str, year: i32, rows: &[Expense]) -> String {
    let mut out = vec![
        [
            "医療を受けた人",
            "病院・薬局などの支払先の名称",
            "診療・治療",
            "医薬品購入",
            "介護保険サービス",
            "その他の医療費",
            "支払った医療費の金額",
            "左のうち、補填される金額",
            "支払年月",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let prefix = format!("{year:04}-");
    for e in rows.iter().filter(|e| e.month.starts_with(&prefix)) {
        let medicine = e.kind == "調剤";
        out.push(vec![
            patient.to_string(),
            e.facility.clone(),
            if medicine { "" } else { "該当する" }.into(),
            if medicine { "該当する" } else { "" }.into(),
            String::new(),
            String::new(),
            e.paid.to_string(),
            "0".into(),
            e.month.clone(),
        ]);
    }
    let total: u64 = rows.iter().filter(|e| e.month.starts_with(&prefix)).map(|e| u64::from(e.paid)).sum();
    out.push(vec![
        "合計".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        total.to_string(),
        "0".into(),
        String::new(),
    ]);
    write(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tax_export_keeps_one_year_and_totals_it() {
        let e = |month: &str, kind: &str, paid| Expense {
            month: month.into(),
            facility: "薬局A, 本店".into(),
            kind: kind.into(),
            days: 1,
            total: paid * 3,
            paid,
        };
        let csv = tax_return_csv(
            "資格 太郎",
            2025,
            &[e("2025-01", "調剤", 1000), e("2025-12", "外来", 2500), e("2026-01", "外来", 9999)],
        );
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 4, "{csv}");
        assert!(lines[1].contains("\"薬局A, 本店\""), "a comma in a name is quoted: {}", lines[1]);
        assert!(lines[3].starts_with("合計") && lines[3].contains("3500"), "{}", lines[3]);
    }
}
