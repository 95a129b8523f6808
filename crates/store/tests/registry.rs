use myna_registry::{
    Address, BirthDate, EventKind, LifeEvent, LookupOutcome, LookupQuery, PersonName, Relationship, Sex,
};
use myna_store::{Db, RegistryStore, StoreError};
use time::{Date, macros::date};

const TODAY: Date = date!(2026 - 11 - 21);

fn birth(name: &str, kana: &str, on: Date, addr: &str, household: Option<u64>, rel: Relationship) -> LifeEvent {
    LifeEvent {
        on,
        kind: EventKind::Birth {
            name: PersonName::new(name, kana).unwrap(),
            sex: Some(Sex::Female),
            address: Address::parse(addr).unwrap(),
            household,
            relationship: rel,
        },
    }
}

async fn store(db: Db) -> RegistryStore {
    RegistryStore::open(db, || [42; 32]).await.unwrap()
}

fn q(name: &str, b: &str, addr: &str) -> LookupQuery {
    LookupQuery::new(Some(name), Some(b), None, Some(addr), TODAY).unwrap()
}

#[tokio::test]
async fn events_build_history_and_lookup_matches_variants() {
    for db in myna_testkit::fresh_dbs().await {
        let s = store(db).await;
        let ev = birth(
            "齋藤 さくら",
            "さいとう さくら",
            date!(2020 - 02 - 29),
            "東京都千代田区霞が関2丁目1番地2号",
            None,
            Relationship::Head,
        );
        let r = s.record(None, &ev, None, TODAY).await.unwrap().resident;
        assert_eq!(r.number.as_str().len(), 12);
        let found = s.lookup(&q("斎藤さくら", "2020-02-29", "千代田区霞ヶ関2-1-2")).await.unwrap();
        assert!(matches!(found, LookupOutcome::Unique(ref m) if m.resident.code == r.code), "{found:?}");

        let rename = LifeEvent {
            on: date!(2024 - 01 - 01),
            kind: EventKind::NameChange { name: PersonName::new("佐藤 さくら", "サトウ サクラ").unwrap() },
        };
        s.record(Some(r.code), &rename, None, TODAY).await.unwrap();
        let hist = s.history(r.code).await.unwrap();
        assert_eq!(hist.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["birth", "name_change"]);
        assert_eq!(hist[0].detail["name"], "齋藤 さくら", "the old name stays in history");
        assert_eq!(s.resident(r.code).await.unwrap().unwrap().name.kanji, "佐藤 さくら");
        assert_eq!(s.by_number(r.number).await.unwrap().unwrap().code, r.code);
    }
}

#[tokio::test]
async fn twins_at_one_address_are_ambiguous_not_chosen() {
    for db in myna_testkit::fresh_dbs().await {
        let s = store(db).await;
        let a = s
            .record(
                None,
                &birth(
                    "山田 ゆい",
                    "ヤマダ ユイ",
                    date!(2021 - 05 - 05),
                    "大阪府大阪市北区梅田1-1-1",
                    None,
                    Relationship::Head,
                ),
                None,
                TODAY,
            )
            .await
            .unwrap();
        let h = a.resident.household;
        s.record(
            None,
            &birth(
                "山田 ゆい",
                "ヤマダ ユイ",
                date!(2021 - 05 - 05),
                "大阪府大阪市北区梅田1-1-1",
                Some(h),
                Relationship::Child,
            ),
            None,
            TODAY,
        )
        .await
        .unwrap();
        let out = s.lookup(&q("山田ゆい", "2021-05-05", "大阪市北区梅田一丁目1番1号")).await.unwrap();
        assert!(matches!(out, LookupOutcome::Ambiguous(ref v) if v.len() == 2), "{out:?}");
        assert_eq!(s.household_members(h).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn retries_are_idempotent_and_bad_events_change_nothing() {
    for db in myna_testkit::fresh_dbs().await {
        let s = store(db).await;
        let ev = birth(
            "田中 一郎",
            "タナカ イチロウ",
            date!(2000 - 01 - 01),
            "福岡県福岡市中央区天神1-1-1",
            None,
            Relationship::Head,
        );
        let first = s.record(None, &ev, Some(("req-1", "fp-a")), TODAY).await.unwrap();
        let again = s.record(None, &ev, Some(("req-1", "fp-a")), TODAY).await.unwrap();
        assert!(again.replayed);
        assert_eq!(first.resident.code, again.resident.code);
        assert_eq!(s.count().await.unwrap(), 1, "the retry wrote nothing");
        assert!(matches!(
            s.record(None, &ev, Some(("req-1", "fp-b")), TODAY).await,
            Err(StoreError::IdempotencyConflict(_))
        ));

        let code = first.resident.code;
        let away = LifeEvent {
            on: date!(2010 - 01 - 01),
            kind: EventKind::MoveWithin { address: Address::parse("東京都千代田区永田町1-7-1").unwrap() },
        };
        assert!(matches!(s.record(Some(code), &away, None, TODAY).await, Err(StoreError::Event(_))));
        let future = LifeEvent { on: date!(2027 - 01 - 01), kind: EventKind::Death };
        assert!(s.record(Some(code), &future, None, TODAY).await.is_err());
        assert_eq!(s.history(code).await.unwrap().len(), 1, "refused events left no trace");
        assert_eq!(s.resident(code).await.unwrap().unwrap(), first.resident);
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_reopening() {
    for url in myna_testkit::fresh_urls().await {
        let code = {
            let s = store(Db::open(&url).await.unwrap()).await;
            let r = s
                .record(
                    None,
                    &birth(
                        "鈴木 花",
                        "スズキ ハナ",
                        date!(2019 - 07 - 07),
                        "北海道札幌市中央区北一条西2-1",
                        None,
                        Relationship::Head,
                    ),
                    None,
                    TODAY,
                )
                .await
                .unwrap();
            s.db().pool.close().await;
            r.resident
        };
        let s = store(Db::open(&url).await.unwrap()).await;
        assert_eq!(s.resident(code.code).await.unwrap().unwrap(), code);
        // The issuing key was kept: the next number comes from the same permutation.
        let next = s
            .record(
                None,
                &birth(
                    "鈴木 葉",
                    "スズキ ヨウ",
                    date!(2020 - 07 - 07),
                    "北海道札幌市中央区北一条西2-1",
                    Some(code.household),
                    Relationship::Child,
                ),
                None,
                TODAY,
            )
            .await
            .unwrap();
        assert_ne!(next.resident.number, code.number);
        assert_eq!(BirthDate::parse("2020-07-07", TODAY).unwrap(), next.resident.birth);
    }
}
