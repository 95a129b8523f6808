//! Where the residents' rows live, and the statements that find and write them.
//!
//! On SQLite: one table, indexed by code, number, digest and household.
//!
//! On PostgreSQL: the table is partitioned by prefecture (declarative LIST partitions on the
//! first two digits of the local government code, 47 and a default), so a prefecture's load or
//! inspection writes and reads only its partition. A lookup by number, code, 4-item digest or
//! household does not know the prefecture, and probing 48 partitions' indexes made lookups
//! 0.36 × (BENCHMARKS.md); so a country-wide key directory (`resident_keys`: id, code,
//! number, digest, household → prefecture) is read first, and then the partition it names,
//! by its own name. (One statement joining the two, with PostgreSQL pruning the partitions at
//! run time, still opened all 48 partitions' indexes for each execution: 3,500 lookups a
//! second against 8,500 on one table.) The directory also keeps numbers and codes unique
//! across the country, which PostgreSQL cannot do with an index on a partitioned table. It
//! is written in the same transaction as the resident's row, so it is never stale.

use myna_registry::Resident;
use myna_store::{Backend, Db};
use sqlx::{AnyConnection, Row as _};

use super::super::{
    RegistryError,
    rows::{self, RESIDENT_COLUMN_COUNT, RESIDENT_COLUMNS, StoredResident, placeholders},
};

/// The prefectures' codes (JIS X 0401): one partition each, and a default for anything else.
pub(crate) const PREFECTURES: std::ops::RangeInclusive<i16> = 1..=47;

/// The prefecture of a local government code (its first two digits), 0 when it has none.
pub(crate) fn prefecture(lg_code: &str) -> i16 {
    lg_code.get(..2).and_then(|p| p.parse().ok()).filter(|p| PREFECTURES.contains(p)).unwrap_or(0)
}

/// The key columns of the directory, in the order [`Layout::insert`] writes them.
const KEY_COLUMNS: &str = "id, code, number, digest, household, pref";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    OneTable,
    ByPrefecture,
}

impl Layout {
    pub(crate) fn of(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::OneTable,
            Backend::Postgres => Self::ByPrefecture,
        }
    }

    /// The statement for the residents whose `key` (code, number, digest, household) is a
    /// value, and the parameters it takes with that value.
    fn select_where<'a>(self, key: &'a str, value: i64) -> (String, Vec<myna_store::Val<'a>>) {
        match self {
            Self::OneTable => {
                (format!("SELECT {RESIDENT_COLUMNS} FROM residents WHERE {key} = $1"), vec![value.into()])
            }
            Self::ByPrefecture => {
                (format!("SELECT {RESIDENT_COLUMNS} FROM residents_where($1, $2)"), vec![key.into(), value.into()])
            }
        }
    }

    /// The residents whose `key` is `value`, read through the pool (SQLite: on the calling
    /// thread).
    pub(crate) async fn find(self, db: &Db, key: &str, value: i64) -> Result<Vec<StoredResident>, RegistryError> {
        let (sql, params) = self.select_where(key, value);
        db.read(&sql, &params, |r| Ok(rows::resident(r))).await?.into_iter().collect()
    }

    /// The residents with these numbers.
    pub(crate) async fn find_numbers(self, db: &Db, numbers: &[i64]) -> Result<Vec<StoredResident>, RegistryError> {
        let rows = match self {
            Self::OneTable => {
                db.fetch_in(&format!("SELECT {RESIDENT_COLUMNS} FROM residents WHERE number IN"), numbers).await?
            }
            Self::ByPrefecture => {
                let keys = db
                    .fetch_in("SELECT CAST(pref AS BIGINT), code FROM resident_keys WHERE number IN", numbers)
                    .await?;
                let keys =
                    keys.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect::<Result<_, sqlx::Error>>()?;
                return read_partitions(db, keys).await;
            }
        };
        rows.iter().map(rows::resident_any).collect()
    }

    /// [`Self::find`] inside a write transaction.
    pub(crate) async fn find_in(
        self,
        conn: &mut AnyConnection,
        key: &str,
        value: i64,
    ) -> Result<Vec<StoredResident>, RegistryError> {
        let (sql, _) = self.select_where(key, value);
        let q = match self {
            Self::OneTable => sqlx::query(&sql),
            Self::ByPrefecture => sqlx::query(&sql).bind(key),
        };
        let rows = q.bind(value).fetch_all(&mut *conn).await?;
        rows.iter().map(rows::resident_any).collect()
    }

    fn columns(self) -> usize {
        match self {
            Self::OneTable => RESIDENT_COLUMN_COUNT,
            Self::ByPrefecture => RESIDENT_COLUMN_COUNT + 1,
        }
    }

    /// The most rows one multi-row insert may hold: SQLite takes 32,766 parameters,
    /// PostgreSQL 65,535.
    pub(crate) fn rows_per_insert(self) -> usize {
        32_000 / self.columns()
    }

    /// Inserts new residents (row id, record, version 1) and, partitioned, their keys.
    pub(crate) async fn insert(
        self,
        backend: Backend,
        conn: &mut AnyConnection,
        new: &[(i64, &Resident)],
    ) -> Result<(), sqlx::Error> {
        let cols = match self {
            Self::OneTable => RESIDENT_COLUMNS.to_string(),
            Self::ByPrefecture => format!("{RESIDENT_COLUMNS}, pref"),
        };
        let sql = format!("INSERT INTO residents ({cols}) VALUES {}", placeholders(backend, new.len(), self.columns()));
        let mut q = sqlx::query(&sql);
        for (id, r) in new {
            q = rows::resident_values(*id, r, 1).bind(q);
            if self == Self::ByPrefecture {
                q = q.bind(prefecture(r.address.lg_code()));
            }
        }
        q.execute(&mut *conn).await?;
        if self == Self::ByPrefecture {
            let sql =
                format!("INSERT INTO resident_keys ({KEY_COLUMNS}) VALUES {}", placeholders(backend, new.len(), 6));
            let mut q = sqlx::query(&sql);
            for (id, r) in new {
                q = q
                    .bind(*id)
                    .bind(r.code.value() as i64)
                    .bind(r.number.value() as i64)
                    .bind(r.match_digest())
                    .bind(r.household as i64)
                    .bind(prefecture(r.address.lg_code()));
            }
            q.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Writes `next` over the resident with row id `id` that was `before`: partitioned, the
    /// row moves to its new prefecture's partition (PostgreSQL moves it within the update)
    /// and the directory follows.
    pub(crate) async fn update(
        self,
        conn: &mut AnyConnection,
        (id, before): (i64, &Resident),
        next: &Resident,
        version: i64,
    ) -> Result<(), sqlx::Error> {
        let v = rows::resident_values(id, next, version);
        let set = "UPDATE residents SET name = $1, kana = $2, digest = $3, address = $4, lg_code = $5, household = $6,
                   relationship = $7, status = $8, status_on = $9, moved_to = $10, version = $11";
        let sql = match self {
            Self::OneTable => format!("{set} WHERE id = $12"),
            Self::ByPrefecture => format!("{set}, pref = $13 WHERE id = $12 AND pref = $14"),
        };
        let (digest, household) = (v.digest, v.household);
        let q = sqlx::query(&sql)
            .bind(v.name)
            .bind(v.kana)
            .bind(v.digest)
            .bind(v.address)
            .bind(v.lg_code)
            .bind(v.household)
            .bind(v.relationship)
            .bind(v.status)
            .bind(v.status_on)
            .bind(v.moved_to)
            .bind(v.version)
            .bind(id);
        let (to, from) = (prefecture(next.address.lg_code()), prefecture(before.address.lg_code()));
        match self {
            Self::OneTable => {
                q.execute(&mut *conn).await?;
            }
            Self::ByPrefecture => {
                q.bind(to).bind(from).execute(&mut *conn).await?;
                sqlx::query("UPDATE resident_keys SET digest = $1, household = $2, pref = $3 WHERE code = $4")
                    .bind(digest)
                    .bind(household)
                    .bind(to)
                    .bind(next.code.value() as i64)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The partition of prefecture `pref` (0: the default one).
fn partition(pref: i64) -> String {
    if (1..=47).contains(&pref) { format!("residents_{pref:02}") } else { "residents_other".into() }
}

/// Record codes grouped by the partition that holds them.
fn by_partition(keys: Vec<(i64, i64)>) -> std::collections::BTreeMap<i64, Vec<i64>> {
    let mut groups = std::collections::BTreeMap::<i64, Vec<i64>>::new();
    for (pref, code) in keys {
        groups.entry(pref).or_default().push(code);
    }
    groups
}

/// The residents of `keys` (prefecture, code), read from the partitions that hold them.
async fn read_partitions(db: &Db, keys: Vec<(i64, i64)>) -> Result<Vec<StoredResident>, RegistryError> {
    let mut out = Vec::with_capacity(keys.len());
    for (pref, codes) in by_partition(keys) {
        let sql = format!("SELECT {RESIDENT_COLUMNS} FROM {} WHERE code IN", partition(pref));
        for r in db.fetch_in(&sql, &codes).await? {
            out.push(rows::resident_any(&r)?);
        }
    }
    Ok(out)
}

/// The statements that turn an unpartitioned PostgreSQL registry (as version 1 of the
/// registry's schema makes it) into the partitioned one with its directory, rows and all.
pub(crate) fn partition_steps() -> Vec<String> {
    // The columns as version 1 made them (names, types, NOT NULL; not its key, which a
    // partitioned table cannot have without the prefecture), and the prefecture.
    let mut steps = vec![
        "CREATE TABLE residents_by_prefecture (LIKE residents, pref SMALLINT NOT NULL) PARTITION BY LIST (pref)"
            .to_string(),
    ];
    for p in PREFECTURES {
        steps.push(format!("CREATE TABLE residents_{p:02} PARTITION OF residents_by_prefecture FOR VALUES IN ({p})"));
    }
    steps.push("CREATE TABLE residents_other PARTITION OF residents_by_prefecture DEFAULT".into());
    // The same rule as `prefecture`: two leading digits of a prefecture's code, else 0.
    let pref = "CASE WHEN substr(lg_code, 1, 2) ~ '^(0[1-9]|[1-3][0-9]|4[0-7])$' THEN CAST(substr(lg_code, 1, 2) AS SMALLINT) ELSE 0 END";
    steps.push(format!(
        "INSERT INTO residents_by_prefecture ({RESIDENT_COLUMNS}, pref) SELECT {RESIDENT_COLUMNS}, {pref} FROM residents"
    ));
    steps.push("DROP TABLE residents".into());
    steps.push("ALTER TABLE residents_by_prefecture RENAME TO residents".into());
    steps.push(
        "CREATE TABLE resident_keys (id BIGINT NOT NULL, code BIGINT NOT NULL, number BIGINT NOT NULL,
         digest BIGINT NOT NULL, household BIGINT NOT NULL, pref SMALLINT NOT NULL)"
            .into(),
    );
    steps.push(format!("INSERT INTO resident_keys ({KEY_COLUMNS}) SELECT {KEY_COLUMNS} FROM residents"));
    // A lookup in one round trip: the directory's rows for the key (static statements, whose
    // plans PostgreSQL keeps), then each row's partition by its name. That read is dynamic
    // SQL so that PostgreSQL opens that partition only: a static statement over the
    // partitioned table opens all 48 (and their indexes) to prune them at run time.
    steps.push(
        "CREATE FUNCTION residents_where(key TEXT, value BIGINT) RETURNS SETOF residents
         LANGUAGE plpgsql STABLE AS $$
         DECLARE ks resident_keys[];
         BEGIN
           CASE key
             WHEN 'number' THEN ks := ARRAY(SELECT k FROM resident_keys k WHERE number = value);
             WHEN 'code' THEN ks := ARRAY(SELECT k FROM resident_keys k WHERE code = value);
             WHEN 'digest' THEN ks := ARRAY(SELECT k FROM resident_keys k WHERE digest = value);
             WHEN 'household' THEN ks := ARRAY(SELECT k FROM resident_keys k WHERE household = value);
           END CASE;
           FOR i IN 1 .. coalesce(array_length(ks, 1), 0) LOOP
             RETURN QUERY EXECUTE format('SELECT * FROM %I WHERE code = $1',
               CASE WHEN ks[i].pref BETWEEN 1 AND 47 THEN 'residents_' || lpad(ks[i].pref::text, 2, '0')
                    ELSE 'residents_other' END) USING ks[i].code;
           END LOOP;
         END $$"
            .into(),
    );
    steps
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use myna_registry::{Address, EventKind, LifeEvent, PersonName, Relationship, Resident, Sex};
    use myna_store::Db;
    use sqlx::Row as _;
    use time::{Date, macros::date};

    use super::{Layout, prefecture};
    use crate::store::RegistryStore;

    const TODAY: Date = date!(2026 - 12 - 07);

    #[test]
    fn a_local_government_code_names_its_prefecture() {
        assert_eq!(prefecture("131016"), 13);
        assert_eq!(prefecture("011002"), 1);
        assert_eq!(prefecture("472018"), 47);
        assert_eq!(prefecture("481000"), 0, "no 48th prefecture");
        assert_eq!(prefecture("001000"), 0);
        assert_eq!(prefecture(""), 0);
    }

    fn birth(name: &str, on: Date, addr: &str) -> LifeEvent {
        LifeEvent {
            on,
            kind: EventKind::Birth {
                name: PersonName::new(name, "テスト").unwrap(),
                sex: Some(Sex::Male),
                address: Address::parse(addr).unwrap(),
                household: None,
                relationship: Relationship::Head,
            },
        }
    }

    async fn rows_in(db: &Db, table: &str) -> i64 {
        sqlx::query(&format!("SELECT count(*) FROM {table}")).fetch_one(&db.pool).await.unwrap().get(0)
    }

    /// The residents' partitions a lookup by `key` reads, from PostgreSQL's own count of the
    /// scans of each table in the lookup's transaction.
    async fn partitions_read(db: &Db, key: &str, value: i64) -> Vec<String> {
        let mut tx = db.pool.acquire().await.unwrap();
        // What the connection counted before is flushed once it is idle; the view then holds
        // this transaction's scans only.
        sqlx::query("SELECT pg_stat_force_next_flush()").execute(&mut *tx).await.unwrap();
        sqlx::query("BEGIN").execute(&mut *tx).await.unwrap();
        let found = Layout::ByPrefecture.find_in(&mut tx, key, value).await.unwrap();
        assert_eq!(found.len(), 1);
        let rows = sqlx::query(
            "SELECT CAST(relname AS TEXT) FROM pg_stat_xact_user_tables
             WHERE relname LIKE 'residents%' AND coalesce(idx_scan, 0) + coalesce(seq_scan, 0) > 0 ORDER BY relname",
        )
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
        rows.iter().map(|r| r.get::<String, _>(0)).collect()
    }

    async fn resident(s: &RegistryStore, name: &str, addr: &str) -> Resident {
        s.record(None, &birth(name, date!(2001 - 02 - 03), addr), None, TODAY).await.unwrap().resident
    }

    /// On PostgreSQL each prefecture's residents are in its own partition, a lookup reads
    /// only the partition of the person it finds, and a move to another prefecture moves the
    /// row: the registry still finds them by number, code and 4 items.
    #[tokio::test]
    async fn each_prefecture_in_its_partition_and_a_lookup_reads_one() {
        let Some(url) = myna_testkit::postgres_url().await else { return };
        let db = Db::open(&url).await.unwrap();
        let s = RegistryStore::open(db.clone(), || [7; 32]).await.unwrap();
        let tokyo = resident(&s, "東京 太郎", "東京都千代田区霞が関2丁目1番地2号").await;
        let osaka = resident(&s, "大阪 花子", "大阪府大阪市北区梅田1-1-1").await;
        let people: Vec<_> = (0..3)
            .map(|i| myna_registry::NewResident {
                name: PersonName::new(&format!("北海 {i}"), "ホッカイ").unwrap(),
                birth: myna_registry::BirthDate::new(date!(1990 - 01 - 01), TODAY).unwrap(),
                sex: None,
                address: Address::parse("北海道札幌市中央区北1条西2丁目").unwrap(),
                household_offset: i,
                relationship: Relationship::Head,
                born_here: true,
            })
            .collect();
        let base = s.reserve_households(3).await.unwrap();
        s.load(&people, base, TODAY).await.unwrap();
        assert_eq!(
            (
                rows_in(&db, "residents_13").await,
                rows_in(&db, "residents_27").await,
                rows_in(&db, "residents_01").await
            ),
            (1, 1, 3)
        );
        assert_eq!(partitions_read(&db, "number", osaka.number.value() as i64).await, ["residents_27"]);
        assert_eq!(partitions_read(&db, "number", tokyo.number.value() as i64).await, ["residents_13"]);
        assert_eq!(partitions_read(&db, "digest", tokyo.match_digest()).await, ["residents_13"]);

        // 転出 from Tokyo to Osaka, then 転入 there: the row moves, the keys follow.
        let to = Address::parse("大阪府大阪市北区梅田2-2-2").unwrap();
        let out = LifeEvent { on: TODAY, kind: EventKind::MoveOut { to: to.clone() } };
        s.record(Some(tokyo.code), &out, None, TODAY).await.unwrap();
        let moved_in = LifeEvent {
            on: TODAY,
            kind: EventKind::MoveIn { address: to, household: None, relationship: Relationship::Head },
        };
        s.record(Some(tokyo.code), &moved_in, None, TODAY).await.unwrap();
        assert_eq!((rows_in(&db, "residents_13").await, rows_in(&db, "residents_27").await), (0, 2));
        assert_eq!(partitions_read(&db, "number", tokyo.number.value() as i64).await, ["residents_27"]);
        let found = s.by_number(tokyo.number).await.unwrap().unwrap();
        assert_eq!(found.address.lg_code(), osaka.address.lg_code());
        assert_eq!(s.resident(tokyo.code).await.unwrap().unwrap().code, tokyo.code);
        let q = myna_registry::LookupQuery::new(
            Some("東京 太郎"),
            Some("2001-02-03"),
            None,
            Some("大阪市北区梅田2-2-2"),
            TODAY,
        )
        .unwrap();
        let found = s.lookup(&q).await.unwrap();
        assert!(
            matches!(found, myna_registry::LookupOutcome::Unique(ref m) if m.resident.code == tokyo.code),
            "{found:?}"
        );
        assert_eq!(s.count().await.unwrap(), 5);
        assert_eq!(s.household_members(found_household(&s, tokyo.number).await).await.unwrap().len(), 1);
    }

    async fn found_household(s: &RegistryStore, n: myna_number::IndividualNumber) -> u64 {
        s.by_number(n).await.unwrap().unwrap().household
    }

    /// A PostgreSQL registry made before the partitions is converted when next opened, its
    /// residents kept and found.
    #[tokio::test]
    async fn a_registry_of_one_table_is_partitioned_with_its_residents() {
        let Some(url) = myna_testkit::postgres_url().await else { return };
        let db = Db::open(&url).await.unwrap();
        // As the registry was: version 1 of its schema, its rows in the single table (the
        // resident issued by a registry of the same key, with serial 0).
        let lite = RegistryStore::open(Db::open(&myna_testkit::sqlite_url()).await.unwrap(), || [9; 32]).await.unwrap();
        let r = resident(&lite, "京都 一郎", "京都府京都市左京区吉田本町1").await;
        db.migrate(&crate::store::REGISTRY).await.unwrap();
        let mut c = db.pool.acquire().await.unwrap();
        Layout::OneTable.insert(myna_store::Backend::Postgres, &mut c, &[(0, &r)]).await.unwrap();
        for counter in ["individual", "resident_code", "household"] {
            sqlx::query("INSERT INTO counters (name, value) VALUES ($1, 1)")
                .bind(counter)
                .execute(&mut *c)
                .await
                .unwrap();
        }
        drop(c);

        let s = RegistryStore::open(db.clone(), || [9; 32]).await.unwrap();
        assert_eq!(rows_in(&db, "residents_26").await, 1);
        assert_eq!(s.by_number(r.number).await.unwrap().as_ref(), Some(&r));
        let again = resident(&s, "京都 二郎", "京都府京都市左京区吉田本町1").await;
        assert_ne!(again.number, r.number);
        assert_eq!(s.count().await.unwrap(), 2);
    }
}
