//! Bulk registration: a synthetic population, or a migration from another register, loaded
//! in batches of one transaction each.

use myna_registry::{NewResident, Resident, Status};
use myna_store::WriteQuery as _;
use time::Date;

use super::super::{RegistryError, rows::placeholders, schema};
use super::{RegistryStore, history, now};

/// Threads to issue a batch's numbers on: format-preserving encryption is most of a bulk
/// load's CPU time, and each number is independent of the others.
const ISSUE_THREADS: usize = 2;

impl RegistryStore {
    /// The records for `people`, numbered from the reserved serials.
    fn issue_all(
        &self,
        people: &[NewResident],
        first_code: u64,
        first_number: u64,
        household_base: u64,
    ) -> Result<Vec<Resident>, RegistryError> {
        let part = people.len().div_ceil(ISSUE_THREADS).max(1);
        let issue_part = |offset: usize, part: &[NewResident]| -> Result<Vec<Resident>, RegistryError> {
            part.iter()
                .enumerate()
                .map(|(i, p)| {
                    let k = (offset + i) as u64;
                    let (code, number) = self.issue(first_code + k, first_number + k)?;
                    Ok(Resident {
                        code,
                        number,
                        name: p.name.clone(),
                        birth: p.birth,
                        sex: p.sex,
                        address: p.address.clone(),
                        household: household_base + p.household_offset,
                        relationship: p.relationship,
                        status: Status::Resident,
                    })
                })
                .collect()
        };
        let parts: Vec<Result<Vec<Resident>, RegistryError>> = std::thread::scope(|s| {
            let handles: Vec<_> = people
                .chunks(part)
                .enumerate()
                .map(|(c, chunk)| s.spawn(move || issue_part(c * part, chunk)))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(Err(RegistryError::IssuerThread))).collect()
        });
        let mut out = Vec::with_capacity(people.len());
        for p in parts {
            out.extend(p?);
        }
        Ok(out)
    }

    /// Prepares an empty registry for [`load`](Self::load)ing many batches: drops the
    /// secondary indexes, which [`finish_bulk`](Self::finish_bulk) builds once at the end by
    /// sorting (at 10 million residents, inserting into four random-key indexes made the load
    /// fall from 20,000 to under 9,000 residents a second). Lookups are slow until then. A
    /// registry that already has residents is refused: its users need the indexes.
    pub async fn begin_bulk(&self) -> Result<(), RegistryError> {
        let _w = self.write.lock().await;
        if !self.is_empty().await? {
            return Err(RegistryError::NotEmpty(self.count().await?));
        }
        for (name, _) in schema::indexes(self.layout) {
            sqlx::query(&format!("DROP INDEX IF EXISTS {name}")).write(&self.db).await?;
        }
        Ok(())
    }

    /// Builds the indexes [`begin_bulk`](Self::begin_bulk) dropped (a no-op when they exist;
    /// opening the store does the same, so a load that died half way is indexed on restart).
    pub async fn finish_bulk(&self) -> Result<(), RegistryError> {
        let _w = self.write.lock().await;
        Ok(schema::ensure_indexes(&self.db).await?)
    }

    /// Registers many people at once, in one transaction: either all of them are stored,
    /// with their first event, or none. Households are counted from `household_base`.
    /// Issuing the numbers is CPU work (two format-preserving encryptions a person), done on
    /// two threads while the calling task waits: for loads, not for a node's request path.
    pub async fn load(
        &self,
        people: &[NewResident],
        household_base: u64,
        today: Date,
    ) -> Result<Vec<Resident>, RegistryError> {
        let chunk_rows = self.layout.rows_per_insert();
        let _w = self.write.lock().await;
        let mut tx = self.db.begin().await?;
        let n = people.len() as u64;
        let first = tx.reserve("individual", n).await?;
        let first_code = tx.reserve("resident_code", n).await?;
        let out = self.issue_all(people, first_code, first, household_base)?;
        let recorded = now();
        for (c, (chunk, src)) in out.chunks(chunk_rows).zip(people.chunks(chunk_rows)).enumerate() {
            let base_id = (first_code + (c * chunk_rows) as u64) as i64;
            let new: Vec<(i64, &Resident)> = chunk.iter().enumerate().map(|(i, r)| (base_id + i as i64, r)).collect();
            self.layout.insert(self.db.backend, &mut tx, &new).await?;
            let sql = format!(
                "INSERT INTO events (resident, version, kind, effective_on, recorded_at, detail) VALUES {}",
                placeholders(self.db.backend, chunk.len(), 6)
            );
            let mut q = sqlx::query(&sql);
            for (i, p) in src.iter().enumerate() {
                let (kind, on) = p.first_event(today);
                q = q
                    .bind(base_id + i as i64)
                    .bind(1i64)
                    .bind(kind)
                    .bind(on.to_string())
                    .bind(recorded.clone())
                    .bind(history::CREATED_DETAIL);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(out)
    }
}
