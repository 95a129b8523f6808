//! On PostgreSQL the registry's residents are partitioned by prefecture: a resident's row is in
//! their prefecture's partition, moves with them across prefectures, and is found by number
//! from anywhere; numbers stay unique across the partitions (`resident_keys`).

use myna_jlis::store::RegistryStore;
use myna_registry::{Address, EventKind, LifeEvent, PersonName, Relationship, Sex};
use sqlx::Row;
use time::macros::date;

const TODAY: time::Date = date!(2026 - 12 - 07);

async fn partition_of(s: &RegistryStore, code: u64) -> String {
    sqlx::query("SELECT tableoid::regclass::text FROM residents WHERE code = $1")
        .bind(code as i64)
        .fetch_one(&s.db().pool)
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn residents_live_in_their_prefecture_s_partition() {
    let Some(url) = myna_testkit::postgres_url().await else {
        assert!(std::env::var("MYNA_REQUIRE_PG").is_err(), "MYNA_REQUIRE_PG is set but no PostgreSQL database");
        eprintln!("skipped: partitions are PostgreSQL's (set MYNA_TEST_PG_URL)");
        return;
    };
    let s = RegistryStore::open(myna_store::Db::open(&url).await.unwrap(), || [3; 32]).await.unwrap();
    let birth = |name: &str, kana: &str, address: &str| LifeEvent {
        on: date!(2020 - 04 - 01),
        kind: EventKind::Birth {
            name: PersonName::new(name, kana).unwrap(),
            sex: Some(Sex::Female),
            address: Address::parse(address).unwrap(),
            household: None,
            relationship: Relationship::Head,
        },
    };
    let tokyo =
        s.record(None, &birth("中村 葵", "ナカムラ アオイ", "東京都千代田区霞が関1-1-1"), None, TODAY).await.unwrap();
    let osaka =
        s.record(None, &birth("小林 葵", "コバヤシ アオイ", "大阪府大阪市北区梅田1-1-1"), None, TODAY).await.unwrap();
    let (t, o) = (tokyo.resident.code.value(), osaka.resident.code.value());
    assert_eq!(partition_of(&s, t).await, "residents_13");
    assert_eq!(partition_of(&s, o).await, "residents_27");

    // 転出 from 千代田区 to 大阪市, then the 転入: the row moves to 大阪府's partition.
    let out = LifeEvent {
        on: date!(2026 - 10 - 01),
        kind: EventKind::MoveOut { to: Address::parse("大阪府大阪市北区中之島1-2-3").unwrap() },
    };
    s.record(Some(tokyo.resident.code), &out, None, TODAY).await.unwrap();
    let into = LifeEvent {
        on: date!(2026 - 10 - 05),
        kind: EventKind::MoveIn {
            address: Address::parse("大阪府大阪市北区中之島1-2-3").unwrap(),
            household: None,
            relationship: Relationship::Head,
        },
    };
    s.record(Some(tokyo.resident.code), &into, None, TODAY).await.unwrap();
    assert_eq!(partition_of(&s, t).await, "residents_27");
    let found = s.by_number(tokyo.resident.number).await.unwrap().unwrap();
    assert_eq!(found.address.lg_code().to_string(), "271276", "大阪市北区");
    assert_eq!(s.history(tokyo.resident.code).await.unwrap().len(), 3);

    // A number already issued cannot be stored again, whatever the partition.
    let dup = sqlx::query("INSERT INTO resident_keys (id, code, number) VALUES (999999, 1, $1)")
        .bind(osaka.resident.number.value() as i64)
        .execute(&s.db().pool)
        .await;
    assert!(dup.unwrap_err().to_string().contains("resident_keys_number"));
}
