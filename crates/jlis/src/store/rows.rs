//! Converting between database rows and registry types.

use myna_registry::{Address, BirthDate, PersonName, Relationship, Resident, ResidentCode, Sex, Status, parse_date};
use sqlx::any::AnyRow;

use myna_store::{Backend, Row as DbRow};

use super::RegistryError;

pub(crate) const RESIDENT_COLUMNS: &str = "id, code, number, name, kana, digest, birth, sex, address, lg_code, household, relationship, status, status_on, moved_to, version";
pub(crate) const RESIDENT_COLUMN_COUNT: usize = 16;

/// A resident as stored: the store's row id (never shown outside) and the row version.
pub(crate) struct StoredResident {
    pub id: i64,
    pub resident: Resident,
    pub version: i64,
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::corrupt(format!("{what}: {e}"))
}

/// A resident from a row that begins with [`RESIDENT_COLUMNS`], read by position (the same
/// reader for a pool's row and a direct read's, `myna_store::Row`).
pub(crate) fn resident(row: &DbRow<'_, '_>) -> Result<StoredResident, RegistryError> {
    let s = |i: usize| row.get::<String>(i);
    let opt = |i: usize| row.get::<Option<String>>(i);
    let int = |i: usize, c: &str| -> Result<u64, RegistryError> {
        u64::try_from(row.get::<i64>(i)?).map_err(|e| corrupt(c, e))
    };
    let code_v = int(1, "code")?;
    let code = ResidentCode::from_value(code_v).ok_or_else(|| corrupt("code", code_v))?;
    let number = format!("{:012}", int(2, "number")?).parse().map_err(|e| corrupt("number", e))?;
    let name = PersonName::new(&s(3)?, &s(4)?).map_err(|e| corrupt("name", e))?;
    let birth_d = parse_date(&s(6)?).map_err(|e| corrupt("birth", e))?;
    let birth = BirthDate::new(birth_d, birth_d).map_err(|e| corrupt("birth", e))?;
    let sex = match opt(7)? {
        None => None,
        Some(v) => Some(Sex::parse(&v).ok_or_else(|| corrupt("sex", v))?),
    };
    let address = Address::parse(&s(8)?).map_err(|e| corrupt("address", e))?;
    let household = int(10, "household")?;
    let rel = s(11)?;
    let relationship = Relationship::parse(&rel).ok_or_else(|| corrupt("relationship", &rel))?;
    let on = || -> Result<time::Date, RegistryError> {
        parse_date(&opt(13)?.unwrap_or_default()).map_err(|e| corrupt("status_on", e))
    };
    let status = match s(12)?.as_str() {
        "resident" => Status::Resident,
        "moved_out" => Status::MovedOut { on: on()?, to: opt(14)?.unwrap_or_default() },
        "deceased" => Status::Deceased { on: on()? },
        other => return Err(corrupt("status", other)),
    };
    let resident = Resident { code, number, name, birth, sex, address, household, relationship, status };
    Ok(StoredResident { id: row.get(0)?, resident, version: row.get(15)? })
}

/// [`resident`] of a row read through the pool.
pub(crate) fn resident_any(row: &AnyRow) -> Result<StoredResident, RegistryError> {
    resident(&DbRow::Any(row))
}

/// The values of a resident row, in [`RESIDENT_COLUMNS`] order.
pub(crate) fn resident_values(id: i64, r: &Resident, version: i64) -> ResidentValues {
    ResidentValues {
        id,
        // 11 and 12 digits: far inside i64.
        code: r.code.value() as i64,
        number: r.number.value() as i64,
        name: r.name.kanji.clone(),
        kana: r.name.kana.clone(),
        digest: r.match_digest(),
        birth: r.birth.to_string(),
        sex: r.sex.map(|s| s.as_str().to_string()),
        address: r.address.line(),
        lg_code: r.address.lg_code().to_string(),
        household: r.household as i64,
        relationship: r.relationship.as_str().to_string(),
        status: r.status.as_str().to_string(),
        status_on: r.status.since().map(|d| d.to_string()),
        moved_to: r.status.moved_to().map(str::to_string),
        version,
    }
}

pub(crate) struct ResidentValues {
    pub id: i64,
    pub code: i64,
    pub number: i64,
    pub name: String,
    pub kana: String,
    pub digest: i64,
    pub birth: String,
    pub sex: Option<String>,
    pub address: String,
    pub lg_code: String,
    pub household: i64,
    pub relationship: String,
    pub status: String,
    pub status_on: Option<String>,
    pub moved_to: Option<String>,
    pub version: i64,
}

impl ResidentValues {
    pub(crate) fn bind<'q>(
        self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        q.bind(self.id)
            .bind(self.code)
            .bind(self.number)
            .bind(self.name)
            .bind(self.kana)
            .bind(self.digest)
            .bind(self.birth)
            .bind(self.sex)
            .bind(self.address)
            .bind(self.lg_code)
            .bind(self.household)
            .bind(self.relationship)
            .bind(self.status)
            .bind(self.status_on)
            .bind(self.moved_to)
            .bind(self.version)
    }
}

/// `($1, …, $n), ($n+1, …)` for `rows` rows of `cols` columns; plain `?` on SQLite, where
/// sqlx resolves each `$N` by scanning the statement's parameter names (quadratic in a
/// multi-row insert: it took three quarters of a bulk load's time).
pub(crate) fn placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            if backend == Backend::Sqlite {
                s.push('?');
            } else {
                s.push('$');
                s.push_str(&(r * cols + c + 1).to_string());
            }
        }
        s.push(')');
    }
    s
}
