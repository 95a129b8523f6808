//! The registry's records: residents (current state), events (history), counters.

mod bulk;
mod history;
pub(crate) mod layout;

use myna_number::{IndividualNumber, NumberIssuer};
use myna_registry::{
    Address, BirthDate, EventKind, LifeEvent, LookupOutcome, LookupQuery, PersonName, Relationship, Resident,
    ResidentCode, Sex, Status,
};
use myna_store::WriteQuery as _;
use sqlx::Row;
use time::{Date, OffsetDateTime};
use tokio::sync::Mutex;

pub use history::EventRecord;

use myna_store::{Db, WriteTx};

use super::{
    RegistryError,
    rows::{self, RESIDENT_COLUMNS, StoredResident},
};
use layout::Layout;

const RESIDENT_CODE_TWEAK: &[u8] = b"myna/resident-record-code";

/// What a write did. `replayed` is true when the idempotency key had been seen and nothing
/// new was written.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub resident: Resident,
    pub version: i64,
    pub replayed: bool,
}

pub struct RegistryStore {
    db: Db,
    issuer: NumberIssuer,
    /// One writer at a time: counters and versions are read and bumped inside one
    /// transaction, and SQLite would otherwise answer BUSY to a second writer.
    write: Mutex<()>,
    layout: Layout,
}

fn now() -> String {
    OffsetDateTime::now_utc().to_string()
}

impl RegistryStore {
    /// Opens the registry in `db`. The number-issuing key is read from the database, or,
    /// on first use, taken from `new_key` and stored.
    pub async fn open(db: Db, new_key: impl FnOnce() -> [u8; 32]) -> Result<Self, RegistryError> {
        db.migrate(&super::REGISTRY).await?;
        super::schema::partition(&db).await?;
        super::schema::ensure_indexes(&db).await?;
        let existing: Option<String> = sqlx::query("SELECT value FROM meta WHERE key = 'issuer_key'")
            .fetch_optional(&db.pool)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        let hex = match existing {
            Some(h) => h,
            None => {
                let h: String = new_key().iter().map(|b| format!("{b:02x}")).collect();
                sqlx::query("INSERT INTO meta (key, value) VALUES ('issuer_key', $1)").bind(&h).write(&db).await?;
                h
            }
        };
        let mut key = [0u8; 32];
        for (i, k) in key.iter_mut().enumerate() {
            *k = hex
                .get(i * 2..i * 2 + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or_else(|| RegistryError::corrupt("issuer key".into()))?;
        }
        Ok(Self { issuer: NumberIssuer::new(&key)?, layout: Layout::of(db.backend), db, write: Mutex::new(()) })
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The record code and number for registration serials, which are also the row id.
    fn issue(&self, code_serial: u64, number_serial: u64) -> Result<(ResidentCode, IndividualNumber), RegistryError> {
        let d = self.issuer.code::<11>(RESIDENT_CODE_TWEAK, code_serial)?;
        let code = ResidentCode::from_digits(d).ok_or_else(|| RegistryError::corrupt("resident code digits".into()))?;
        Ok((code, self.issuer.individual(number_serial)?))
    }

    /// Reserves `n` households and returns the first id, for a loader to count from.
    pub async fn reserve_households(&self, n: u64) -> Result<u64, RegistryError> {
        let _w = self.write.lock().await;
        let mut tx = self.db.begin().await?;
        let base = tx.reserve("household", n).await? + 1;
        tx.commit().await?;
        Ok(base)
    }

    /// Records one life event. `target` names the resident for events that change a record
    /// and is ignored for those that create one. With an idempotency key, a retry of the same
    /// request returns the first result and writes nothing; the key reused for a different
    /// request (other `fingerprint`) is refused. Returns once the write is durable.
    pub async fn record(
        &self,
        target: Option<ResidentCode>,
        event: &LifeEvent,
        idempotency: Option<(&str, &str)>,
        today: Date,
    ) -> Result<Recorded, RegistryError> {
        self.record_by(None, target, event, idempotency, today).await
    }

    /// [`Self::record`] for a municipality's request: refused unless `recorder` keeps the
    /// register the event belongs to (checked inside the write, on the record as it is).
    pub async fn record_by(
        &self,
        recorder: Option<myna_number::LocalGovCode>,
        target: Option<ResidentCode>,
        event: &LifeEvent,
        idempotency: Option<(&str, &str)>,
        today: Date,
    ) -> Result<Recorded, RegistryError> {
        let _w = self.write.lock().await;
        if let Some((key, fp)) = idempotency
            && let Some(row) = sqlx::query("SELECT fingerprint, resident, version FROM idempotency WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.db.pool)
                .await?
        {
            let (stored_fp, code, version): (String, String, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
            if stored_fp != fp {
                return Err(RegistryError::IdempotencyConflict(key.to_string()));
            }
            let code: ResidentCode = code.parse().map_err(|e| rows::corrupt("idempotency", e))?;
            let resident = self.resident(code).await?.ok_or_else(|| RegistryError::NoSuchResident(code.to_string()))?;
            return Ok(Recorded { resident, version, replayed: true });
        }
        event.check_date(today)?;
        if let Some(m) = recorder
            && event.kind.creates_record()
        {
            event.check_recorder(m, None)?;
        }
        let mut tx = self.db.begin().await?;
        let (id, before, resident, version) = match &event.kind {
            EventKind::Birth { name, sex, address, household, relationship } => {
                let birth = BirthDate::new(event.on, today)?;
                let (id, r) = self.create(&mut tx, name, birth, *sex, address, *household, *relationship).await?;
                (id, None, r, 1)
            }
            EventKind::FirstRegistration { name, birth, sex, address, household, relationship } => {
                if event.on < birth.date() {
                    return Err(myna_registry::EventError::BeforeBirth { on: event.on, birth: *birth }.into());
                }
                let (id, r) = self.create(&mut tx, name, *birth, *sex, address, *household, *relationship).await?;
                (id, None, r, 1)
            }
            kind => {
                let code = target.ok_or_else(|| RegistryError::NoSuchResident("(none given)".into()))?;
                let StoredResident { id, resident: current, version } = (self.layout)
                    .find_in(&mut tx, "code", code.value() as i64)
                    .await?
                    .pop()
                    .ok_or_else(|| RegistryError::NoSuchResident(code.to_string()))?;
                if let Some(m) = recorder {
                    event.check_recorder(m, Some(&current))?;
                }
                let mut next = current.apply(event, today)?;
                if let EventKind::MoveIn { household, .. } = kind {
                    next.household = self.household(&mut tx, *household).await?;
                }
                self.layout.update(&mut tx, (id, &current), &next, version + 1).await?;
                (id, Some(current), next, version + 1)
            }
        };
        sqlx::query("INSERT INTO events (resident, version, kind, effective_on, recorded_at, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id)
            .bind(version)
            .bind(event.kind.as_str())
            .bind(event.on.to_string())
            .bind(now())
            .bind(history::detail(&event.kind, before.as_ref(), &resident).to_string())
            .execute(&mut *tx)
            .await?;
        if let Some((key, fp)) = idempotency {
            sqlx::query("INSERT INTO idempotency (key, fingerprint, resident, version) VALUES ($1, $2, $3, $4)")
                .bind(key)
                .bind(fp)
                .bind(resident.code.as_str())
                .bind(version)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Recorded { resident, version, replayed: false })
    }

    /// An existing household with someone living in it, or a new one.
    async fn household(&self, tx: &mut WriteTx, join: Option<u64>) -> Result<u64, RegistryError> {
        match join {
            None => Ok(tx.reserve("household", 1).await? + 1),
            Some(h) => {
                let members = self.layout.find_in(tx, "household", h as i64).await?;
                let lived_in = members.iter().any(|m| m.resident.status == Status::Resident);
                lived_in.then_some(h).ok_or(RegistryError::NoSuchHousehold(h))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn create(
        &self,
        tx: &mut WriteTx,
        name: &PersonName,
        birth: BirthDate,
        sex: Option<Sex>,
        address: &Address,
        household: Option<u64>,
        relationship: Relationship,
    ) -> Result<(i64, Resident), RegistryError> {
        let household = self.household(tx, household).await?;
        let serial = tx.reserve("individual", 1).await?;
        let code_serial = tx.reserve("resident_code", 1).await?;
        let (code, number) = self.issue(code_serial, serial)?;
        let r = Resident {
            code,
            number,
            name: name.clone(),
            birth,
            sex,
            address: address.clone(),
            household,
            relationship,
            status: Status::Resident,
        };
        let id = code_serial as i64;
        self.layout.insert(self.db.backend, tx, &[(id, &r)]).await?;
        Ok((id, r))
    }

    async fn stored(&self, code: ResidentCode) -> Result<Option<StoredResident>, RegistryError> {
        Ok(self.layout.find(&self.db, "code", code.value() as i64).await?.pop())
    }

    pub async fn resident(&self, code: ResidentCode) -> Result<Option<Resident>, RegistryError> {
        Ok(self.stored(code).await?.map(|s| s.resident))
    }

    pub async fn by_number(&self, number: IndividualNumber) -> Result<Option<Resident>, RegistryError> {
        Ok(self.layout.find(&self.db, "number", number.value() as i64).await?.pop().map(|s| s.resident))
    }

    /// The residents with these numbers (by number), in one query per 500: numbers nobody
    /// has are left out.
    pub async fn residents_of(
        &self,
        numbers: &[IndividualNumber],
    ) -> Result<std::collections::HashMap<u64, Resident>, RegistryError> {
        let keys: Vec<i64> = numbers.iter().map(|n| n.value() as i64).collect();
        let found = self.layout.find_numbers(&self.db, &keys).await?;
        Ok(found.into_iter().map(|s| (s.resident.number.value(), s.resident)).collect())
    }

    /// Everyone registered in a household, head first, then in order of registration.
    pub async fn household_members(&self, household: u64) -> Result<Vec<Resident>, RegistryError> {
        let mut v = self.layout.find(&self.db, "household", household as i64).await?;
        v.sort_by_key(|s| (s.resident.relationship != Relationship::Head, s.id));
        Ok(v.into_iter().map(|s| s.resident).collect())
    }

    /// Everyone who moved out on `since` or later (or plans to) and has not moved in yet:
    /// the 転出証明書情報 a destination may still use. Read through a partial index of the
    /// moved-out records only.
    pub async fn moved_out_since(&self, since: time::Date) -> Result<Vec<Resident>, RegistryError> {
        let rows = sqlx::query(&format!(
            "SELECT {RESIDENT_COLUMNS} FROM residents WHERE status = 'moved_out' AND status_on >= $1 ORDER BY status_on, id"
        ))
        .bind(since.to_string())
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(|r| rows::resident_any(r).map(|s| s.resident)).collect::<Result<_, _>>()
    }

    /// Looks a person up by the basic 4 items (see [`LookupQuery`]).
    pub async fn lookup(&self, q: &LookupQuery) -> Result<LookupOutcome, RegistryError> {
        let found = self.layout.find(&self.db, "digest", q.digest()).await?;
        Ok(q.decide(found.into_iter().map(|s| s.resident).collect::<Vec<_>>()))
    }

    /// Bytes the database takes on disk (PostgreSQL: the whole database; SQLite: pages).
    pub async fn database_size(&self) -> Result<i64, RegistryError> {
        let sql = match self.db.backend {
            myna_store::Backend::Postgres => "SELECT pg_database_size(current_database())",
            myna_store::Backend::Sqlite => "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        };
        Ok(sqlx::query(sql).fetch_one(&self.db.pool).await?.try_get(0)?)
    }

    /// Whether nobody is registered: a probe of one row, where `count` would scan them all.
    pub async fn is_empty(&self) -> Result<bool, RegistryError> {
        Ok(sqlx::query("SELECT 1 FROM residents LIMIT 1").fetch_optional(&self.db.pool).await?.is_none())
    }

    pub async fn count(&self) -> Result<i64, RegistryError> {
        let row = sqlx::query("SELECT COUNT(*) FROM residents").fetch_one(&self.db.pool).await?;
        Ok(row.try_get(0)?)
    }
}
