//! Claims files: what the health node loads each month from the claims (レセプト) facilities
//! and insurers send — dispensed medicines, checkup results and medical expenses — keyed by
//! the card fields a claim carries (insurer number, symbol, number, branch), never by the
//! individual number. The node matches each line to the person whose eligibility covered the
//! day.
//!
//! The format is CSV, one record per line, the record type first (a simplification of the
//! electronic claim's record types):
//!
//! ```text
//! MED,insurer,symbol,number,branch,dispensed_on,pharmacy,prescriber,内服|外用|屯服|注射|在宅,drug,usage,quantity,days,self_pay,generic_saving
//! CHK,insurer,symbol,number,branch,on,institution,item=value;item=value…
//! EXP,insurer,symbol,number,branch,YYYY-MM,facility,入院|外来|歯科|調剤,days,total,paid
//! ```
//!
//! Lines starting with `#` and blank lines are skipped. A file with any bad line is refused
//! whole, with every bad line and its reason, so a month is never half loaded.

use time::Date;

use crate::{
    Branch, CheckupResult, Expense, InsurerNumber, Medication,
    insurance::card_key,
    medical::{Dispensing, EXPENSE_KINDS, checkup_item},
    parse_date,
};

/// Where a claim line is refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("line {line}: {reason}")]
pub struct ClaimError {
    pub line: u64,
    pub reason: String,
}

/// One accepted line: the card it names, the day that decides whose it is, and the record.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimLine {
    pub line: u64,
    /// insurer|symbol|number|branch, as the eligibility registry indexes it.
    pub card: String,
    pub on: Date,
    pub record: Claim,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    Medication(Medication),
    Checkup(CheckupResult),
    Expense(Expense),
}

#[derive(Debug, Default)]
pub struct Claims {
    pub lines: Vec<ClaimLine>,
}

/// At most this many bad lines are listed; the count says how many more.
const MAX_LISTED: usize = 50;

/// Parses a whole file. Either every line is good, or the errors (first 50, then a count).
pub fn parse_claims(text: &str) -> Result<Claims, Vec<ClaimError>> {
    let mut r = ClaimsReader::default();
    for raw in text.lines() {
        r.line(raw);
    }
    r.finish()
}

/// A claims file read a line at a time, as it arrives (a month's file is large: the node
/// keeps the parsed lines, not the text). Line by line, so a reason names the line a person
/// sees in an editor (a claim record never spans lines); each line is read as CSV for its
/// quoting.
#[derive(Debug, Default)]
pub struct ClaimsReader {
    out: Claims,
    errors: Vec<ClaimError>,
    extra: usize,
    line: u64,
}

impl ClaimsReader {
    /// The next line, without its line ending.
    pub fn line(&mut self, raw: &str) {
        self.line += 1;
        let line = self.line;
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            return;
        }
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(1024)
            .from_reader(raw.as_bytes());
        let mut rec = csv::StringRecord::new();
        let res = match rdr.read_record(&mut rec) {
            Err(e) => Err(ClaimError { line, reason: format!("not readable as CSV: {e}") }),
            Ok(_) => {
                let fields: Vec<&str> = rec.iter().collect();
                parse_line(&fields)
                    .map(|(card, on, record)| ClaimLine { line, card, on, record })
                    .map_err(|reason| ClaimError { line, reason })
            }
        };
        self.push(res);
    }

    /// A line that could not be read at all (not UTF-8, too long).
    pub fn bad_line(&mut self, reason: String) {
        self.line += 1;
        let line = self.line;
        self.push(Err(ClaimError { line, reason }));
    }

    fn push(&mut self, res: Result<ClaimLine, ClaimError>) {
        match res {
            // Once a line is bad nothing is loaded: stop keeping the good ones.
            Ok(l) if self.errors.is_empty() => self.out.lines.push(l),
            Ok(_) => {}
            Err(e) if self.errors.len() < MAX_LISTED => {
                self.errors.push(e);
                self.out.lines = Vec::new();
            }
            Err(_) => self.extra += 1,
        }
    }

    /// How many lines have been read.
    pub fn lines_read(&self) -> u64 {
        self.line
    }

    pub fn finish(mut self) -> Result<Claims, Vec<ClaimError>> {
        if self.extra > 0 {
            self.errors.push(ClaimError { line: 0, reason: format!("and {} more bad lines", self.extra) });
        }
        if self.errors.is_empty() { Ok(self.out) } else { Err(self.errors) }
    }
}

fn want(fields: &[&str], n: usize, kind: &str) -> Result<(), String> {
    if fields.len() != n {
        return Err(format!("a {kind} line has {n} fields, this one has {}", fields.len()));
    }
    Ok(())
}

fn text(name: &str, s: &str, max: usize) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(format!("{name}: 1–{max} characters on one line"));
    }
    Ok(s.to_string())
}

fn yen(name: &str, s: &str) -> Result<Option<u32>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse()
        .map(Some)
        .map_err(|_| format!("{name}: whole yen such as 316, got {:?}", s.chars().take(12).collect::<String>()))
}

fn count(name: &str, s: &str, max: u16) -> Result<u16, String> {
    match s.trim().parse::<u16>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("{name}: a whole number from 1 to {max}, got {:?}", s.chars().take(12).collect::<String>())),
    }
}

fn parse_line(f: &[&str]) -> Result<(String, Date, Claim), String> {
    let kind = f.first().map(|s| s.trim()).unwrap_or_default();
    if f.len() < 6 {
        return Err("a line starts MED, CHK or EXP, then insurer, symbol, number, branch and the date".into());
    }
    let insurer = InsurerNumber::parse(f[1]).map_err(|e| e.to_string())?;
    let branch = Branch::parse(f[4]).map_err(|e| e.to_string())?;
    let number = text("number", f[3], 20)?;
    let symbol = f[2].trim();
    if symbol.chars().count() > 20 {
        return Err("symbol: at most 20 characters".into());
    }
    let card = card_key(&insurer, symbol, &number, branch);
    match kind {
        "MED" => {
            want(f, 15, "MED")?;
            let on = parse_date(f[5])?;
            let m = Medication {
                dispensed_on: on,
                pharmacy: text("pharmacy", f[6], 80)?,
                prescriber: text("prescriber", f[7], 80)?,
                dispensing: Dispensing::parse(f[8])?,
                drug: text("drug", f[9], 120)?,
                usage: f[10].trim().chars().take(120).collect(),
                quantity: text("quantity", f[11], 40)?,
                days: count("days", f[12], 365)?,
                self_pay: yen("self_pay", f[13])?,
                generic_saving: yen("generic_saving", f[14])?,
            };
            Ok((card, on, Claim::Medication(m)))
        }
        "CHK" => {
            want(f, 8, "CHK")?;
            let on = parse_date(f[5])?;
            let mut values = Vec::new();
            for pair in f[7].split(';').filter(|p| !p.trim().is_empty()) {
                let (k, v) = pair.split_once('=').ok_or_else(|| {
                    format!("checkup values are item=value;…, got {:?}", pair.chars().take(30).collect::<String>())
                })?;
                let item = checkup_item(k.trim()).ok_or_else(|| {
                    format!("unknown checkup item {:?}", k.trim().chars().take(30).collect::<String>())
                })?;
                let v: f64 =
                    v.trim().parse().ok().filter(|v: &f64| v.is_finite() && *v >= 0.0 && *v < 10_000.0).ok_or_else(
                        || format!("{}: not a measurement: {:?}", item.id, v.chars().take(12).collect::<String>()),
                    )?;
                if values.iter().any(|(k2, _): &(String, f64)| k2 == item.id) {
                    return Err(format!("{} is given twice", item.id));
                }
                values.push((item.id.to_string(), v));
            }
            if values.is_empty() {
                return Err("a checkup line has at least one item=value".into());
            }
            Ok((card, on, Claim::Checkup(CheckupResult { on, institution: text("institution", f[6], 80)?, values })))
        }
        "EXP" => {
            want(f, 11, "EXP")?;
            let month = f[5].trim();
            let on = parse_date(&format!("{month}-01"))
                .map_err(|_| format!("the month is YYYY-MM, got {:?}", month.chars().take(12).collect::<String>()))?;
            let kind = f[7].trim();
            if !EXPENSE_KINDS.contains(&kind) {
                return Err(format!(
                    "the kind of care is one of {}, got {:?}",
                    EXPENSE_KINDS.join(", "),
                    kind.chars().take(10).collect::<String>()
                ));
            }
            let total = yen("total", f[9])?.ok_or("total: required")?;
            let paid = yen("paid", f[10])?.ok_or("paid: required")?;
            if paid > total {
                return Err(format!("paid {paid} is more than the total {total}"));
            }
            let e = Expense {
                month: month.to_string(),
                facility: text("facility", f[6], 80)?,
                kind: kind.to_string(),
                days: count("days", f[8], 31)?,
                total,
                paid,
            };
            Ok((card, on, Claim::Expense(e)))
        }
        other => {
            Err(format!("the record type is MED, CHK or EXP, got {:?}", other.chars().take(10).collect::<String>()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_parses_and_a_bad_one_names_every_line() {
        let good = "# September\nMED,01130012,1234,5678,00,2021-09-29,薬局A,処方発行医療機関B,内服,向) マイスリー錠5mg,1日1回朝食後服用,1錠,30,316,212\n\nCHK,01130012,1234,5678,00,2020-07-04,XXXXXクリニック,systolic=150;hdl=75\nEXP,01130012,1234,5678,00,2021-09,薬局A,調剤,2,10530,3160\n";
        let c = parse_claims(good).unwrap();
        assert_eq!(c.lines.len(), 3);
        assert_eq!(c.lines[0].card, "01130012|1234|5678|00");
        assert_eq!(c.lines[1].line, 4);
        let bad = "MED,01130012,1234,5678,00,2021-09-31,a,b,内服,x,y,1錠,30,,\nCHK,01130012,1234,5678,00,2020-07-04,c,blood=1\nEXP,01130013,1234,5678,00,2021-09,a,調剤,2,1,1\nEXP,01130012,1234,5678,00,2021-09,a,調剤,2,100,200\nXYZ,1,2,3,4,5\n";
        let errs = parse_claims(bad).unwrap_err();
        let lines: Vec<u64> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2, 3, 4, 5]);
        assert!(errs[0].reason.contains("YYYY-MM-DD"), "{}", errs[0]);
        assert!(errs[1].reason.contains("unknown checkup item"), "{}", errs[1]);
        assert!(errs[2].reason.contains("check digit"), "{}", errs[2]);
        assert!(errs[3].reason.contains("more than the total"), "{}", errs[3]);
    }
}
