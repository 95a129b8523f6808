//! Converting between database rows and registry types.

use myna_registry::{Address, BirthDate, PersonName, Relationship, Resident, ResidentCode, Sex, Status, parse_date};
use sqlx::{Row, any::AnyRow};

use myna_store::Backend;

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

pub(crate) fn resident(row: &AnyRow) -> Result<StoredResident, RegistryError> {
    let s = |c: &str| row.try_get::<String, _>(c);
    let int = |c: &str| -> Result<u64, RegistryError> {
        let v = row.try_get::<i64, _>(c)?;
        u64::try_from(v).map_err(|e| corrupt(c, e))
    };
    let code_v = int("code")?;
    let code = ResidentCode::from_value(code_v).ok_or_else(|| corrupt("code", code_v))?;
    let number = format!("{:012}", int("number")?).parse().map_err(|e| corrupt("number", e))?;
    let name = PersonName::new(&s("name")?, &s("kana")?).map_err(|e| corrupt("name", e))?;
    let birth_d = parse_date(&s("birth")?).map_err(|e| corrupt("birth", e))?;
    let birth = BirthDate::new(birth_d, birth_d).map_err(|e| corrupt("birth", e))?;
    let sex = match row.try_get::<Option<String>, _>("sex")? {
        None => None,
        Some(v) => Some(Sex::parse(&v).ok_or_else(|| corrupt("sex", v))?),
    };
    let address = Address::parse(&s("address")?).map_err(|e| corrupt("address", e))?;
    let household = int("household")?;
    let rel = s("relationship")?;
    let relationship = Relationship::parse(&rel).ok_or_else(|| corrupt("relationship", &rel))?;
    let on = || -> Result<time::Date, RegistryError> {
        let v = row.try_get::<Option<String>, _>("status_on")?.unwrap_or_default();
        parse_date(&v).map_err(|e| corrupt("status_on", e))
    };
    let status = match s("status")?.as_str() {
        "resident" => Status::Resident,
        "moved_out" => {
            Status::MovedOut { on: on()?, to: row.try_get::<Option<String>, _>("moved_to")?.unwrap_or_default() }
        }
        "deceased" => Status::Deceased { on: on()? },
        other => return Err(corrupt("status", other)),
    };
    let resident = Resident { code, number, name, birth, sex, address, household, relationship, status };
    Ok(StoredResident { id: row.try_get("id")?, resident, version: row.try_get("version")? })
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
