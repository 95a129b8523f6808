//! A registry whose disk fills up: writes are refused while it is full (never acknowledged
//! without being durable), the node recovers by itself when space returns, and no record
//! code or individual number is ever handed out twice — across the episode and a restart.

use std::{collections::HashSet, sync::Arc};

use myna_jlis::store::{RegistryError, RegistryStore};
use myna_registry::{Address, EventKind, LifeEvent, PersonName, Relationship, Sex};
use myna_store::{Db, StorageCondition};
use myna_testkit::SmallDisk;
use time::{Date, macros::date};

const TODAY: Date = date!(2026 - 11 - 21);

fn birth(i: u64) -> LifeEvent {
    LifeEvent {
        on: date!(2026 - 01 - 01),
        kind: EventKind::Birth {
            name: PersonName::new(&format!("山田 花子{i}"), "やまだ はなこ").unwrap(),
            sex: Some(Sex::Female),
            address: Address::parse("東京都千代田区霞が関2丁目1番地2号").unwrap(),
            household: None,
            relationship: Relationship::Head,
        },
    }
}

#[derive(Debug, Clone)]
struct Acked {
    key: String,
    code: String,
    number: String,
}

async fn open(url: &str) -> RegistryStore {
    RegistryStore::open(Db::open(url).await.unwrap(), || [7; 32]).await.unwrap()
}

/// Four writers send births until each has met 30 refusals in a row.
async fn write_until_full(s: &Arc<RegistryStore>, from: u64) -> (Vec<Acked>, Vec<RegistryError>) {
    let mut tasks = Vec::new();
    for w in 0..4u64 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let (mut acked, mut refused, mut streak) = (Vec::new(), Vec::new(), 0);
            for i in 0..20_000u64 {
                let n = from + w * 100_000 + i;
                let key = format!("birth-{n}");
                match s.record(None, &birth(n), Some((&key, &format!("fp-{n}"))), TODAY).await {
                    Ok(r) => {
                        streak = 0;
                        acked.push(Acked {
                            key,
                            code: r.resident.code.to_string(),
                            number: r.resident.number.to_string(),
                        });
                    }
                    Err(e) => {
                        streak += 1;
                        refused.push(e);
                        if streak >= 30 {
                            break;
                        }
                    }
                }
            }
            (acked, refused)
        }));
    }
    let (mut acked, mut refused) = (Vec::new(), Vec::new());
    for t in tasks {
        let (a, r) = t.await.unwrap();
        acked.extend(a);
        refused.extend(r);
    }
    (acked, refused)
}

async fn assert_all_present(url: &str, acked: &[Acked]) {
    let s = open(url).await;
    for a in acked {
        let r = s.resident(a.code.parse().unwrap()).await.unwrap();
        let r = r.unwrap_or_else(|| panic!("acknowledged resident {} ({}) is missing", a.code, a.key));
        assert_eq!(r.number.to_string(), a.number, "resident {} has another number than acknowledged", a.code);
    }
    s.db().pool.close().await;
}

async fn assert_committed_read_only(url: &str, acked: &[Acked]) {
    use sqlx::{Connection as _, Row as _};
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&format!("{url}?mode=ro")).await.unwrap();
    let rows = sqlx::query("SELECT code, number FROM residents").fetch_all(&mut c).await.unwrap();
    let stored: std::collections::HashMap<i64, i64> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    for a in acked {
        let code = a.code.parse::<myna_registry::ResidentCode>().unwrap().value() as i64;
        let number: i64 = a.number.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap();
        assert_eq!(
            stored.get(&code),
            Some(&number),
            "acknowledged resident {} ({}) is missing or has another number",
            a.code,
            a.key
        );
    }
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_refuses_writes_loses_none_and_never_reissues_a_number() {
    let Some(disk) = SmallDisk::mount(6 << 20) else { return };
    let url = format!("sqlite://{}", disk.path().join("registry.db").display());
    let s = Arc::new(open(&url).await);
    disk.fill(512 * 1024);

    let (mut acked, refused) = write_until_full(&s, 0).await;
    assert!(!refused.is_empty(), "the disk never filled ({} births written)", acked.len());
    assert!(!acked.is_empty(), "nothing was written before the disk filled");
    for e in &refused {
        assert_eq!(e.storage(), Some(StorageCondition::Full), "a refusal while full says so: {e}");
    }
    // While still full: another, read-only connection sees every acknowledged birth (so each
    // was committed, not held in a transaction that never ends). A node would not start on
    // this database (it cannot write), so the check reads the file directly.
    assert_committed_read_only(&url, &acked).await;

    // Space returns: the same store writes again without a restart.
    disk.free_up();
    for i in 0..40u64 {
        let n = 900_000 + i;
        let key = format!("birth-{n}");
        let r = s
            .record(None, &birth(n), Some((&key, "fp")), TODAY)
            .await
            .unwrap_or_else(|e| panic!("after space returned: {e}"));
        acked.push(Acked { key, code: r.resident.code.to_string(), number: r.resident.number.to_string() });
    }
    // A retry of a birth acknowledged during the episode replays it.
    let first = acked[0].clone();
    let n: u64 = first.key.trim_start_matches("birth-").parse().unwrap();
    let again = s.record(None, &birth(n), Some((&first.key, &format!("fp-{n}"))), TODAY).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.resident.code.to_string(), first.code);
    s.db().pool.close().await;
    drop(s);

    // After a restart: everything acknowledged is there, and new births get new values.
    let s = Arc::new(open(&url).await);
    for i in 0..40u64 {
        let n = 950_000 + i;
        let r = s.record(None, &birth(n), None, TODAY).await.unwrap();
        acked.push(Acked {
            key: format!("birth-{n}"),
            code: r.resident.code.to_string(),
            number: r.resident.number.to_string(),
        });
    }
    s.db().pool.close().await;
    assert_all_present(&url, &acked).await;
    let codes: HashSet<_> = acked.iter().map(|a| &a.code).collect();
    let numbers: HashSet<_> = acked.iter().map(|a| &a.number).collect();
    assert_eq!(codes.len(), acked.len(), "a record code was issued twice");
    assert_eq!(numbers.len(), acked.len(), "an individual number was issued twice");
}

#[tokio::test]
async fn a_node_does_not_start_on_a_database_it_cannot_write() {
    let Some(disk) = SmallDisk::mount(4 << 20) else { return };
    // Made elsewhere and copied in, so that no connection of this process holds the file
    // open when the filesystem is remounted read-only.
    let made = myna_testkit::sqlite_url();
    let s = open(&made).await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&s.db().pool).await.unwrap();
    s.db().pool.close().await;
    let path = disk.path().join("registry.db");
    std::fs::copy(made.trim_start_matches("sqlite://"), &path).unwrap();
    let url = format!("sqlite://{}", path.display());
    disk.set_read_only(true);
    let e = Db::open(&url).await.expect_err("opened a read-only database");
    assert!(matches!(e, myna_store::StoreError::NotWritable(..)), "{e}");
    assert!(e.to_string().contains("cannot be written"), "{e}");
    disk.set_read_only(false);
    Db::open(&url).await.expect("writable again");
}
