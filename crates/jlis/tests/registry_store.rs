use myna_jlis::store::{RegistryError, RegistryStore};
use myna_registry::{
    Address, BirthDate, EventKind, LifeEvent, LookupOutcome, LookupQuery, PersonName, Relationship, Sex,
};
use myna_store::{Db, StoreError};
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
    for db in myna_testkit::fresh_dbs().await.unwrap() {
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
    for db in myna_testkit::fresh_dbs().await.unwrap() {
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
    for db in myna_testkit::fresh_dbs().await.unwrap() {
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
            Err(RegistryError::IdempotencyConflict(_))
        ));

        let code = first.resident.code;
        let away = LifeEvent {
            on: date!(2010 - 01 - 01),
            kind: EventKind::MoveWithin { address: Address::parse("東京都千代田区永田町1-7-1").unwrap() },
        };
        assert!(matches!(s.record(Some(code), &away, None, TODAY).await, Err(RegistryError::Event(_))));
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

fn person(
    name: &str,
    kana: &str,
    birth: &str,
    addr: &str,
    offset: u64,
    rel: Relationship,
) -> myna_jlis::store::NewResident {
    myna_jlis::store::NewResident {
        name: PersonName::new(name, kana).unwrap(),
        birth: BirthDate::parse(birth, TODAY).unwrap(),
        sex: Some(Sex::Male),
        address: Address::parse(addr).unwrap(),
        household_offset: offset,
        relationship: rel,
        born_here: true,
    }
}

#[tokio::test]
async fn history_shows_the_record_as_first_written_after_changes() {
    for db in myna_testkit::fresh_dbs().await.unwrap() {
        let s = store(db).await;
        let ev = birth(
            "高橋 光",
            "タカハシ ヒカル",
            date!(2001 - 04 - 01),
            "東京都新宿区西新宿2-8-1",
            None,
            Relationship::Head,
        );
        let r = s.record(None, &ev, None, TODAY).await.unwrap().resident;
        let moved = LifeEvent {
            on: date!(2020 - 04 - 01),
            kind: EventKind::MoveWithin { address: Address::parse("東京都新宿区歌舞伎町1-4-1").unwrap() },
        };
        s.record(Some(r.code), &moved, None, TODAY).await.unwrap();
        let renamed = LifeEvent {
            on: date!(2022 - 06 - 01),
            kind: EventKind::NameChange { name: PersonName::new("伊藤 光", "イトウ ヒカル").unwrap() },
        };
        s.record(Some(r.code), &renamed, None, TODAY).await.unwrap();
        let h = s.history(r.code).await.unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(h[0].detail["name"], "高橋 光", "the first name, put back from the rename");
        assert_eq!(h[0].detail["address"], "東京都新宿区西新宿二丁目8-1", "the first address, put back from the move");
        assert_eq!(h[0].detail["birth"], "2001-04-01");
        assert_eq!(h[1].detail["from"]["address"], "東京都新宿区西新宿二丁目8-1", "a move keeps 前住所");
        assert_eq!(h[1].detail["address"], "東京都新宿区歌舞伎町一丁目4-1");
        assert_eq!(h[2].detail["from"]["name"], "高橋 光", "a rename keeps 旧氏名");
        assert!(s.history("99999999999".parse().unwrap()).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn bulk_load_builds_indexes_at_the_end_and_needs_an_empty_registry() {
    for url in myna_testkit::fresh_urls().await {
        let s = store(Db::open(&url).await.unwrap()).await;
        s.begin_bulk().await.unwrap();
        let people = [
            person("松本 大和", "マツモト ヤマト", "1975-03-03", "愛知県名古屋市中区栄1-1-1", 0, Relationship::Head),
            person("松本 蓮", "マツモト レン", "2005-08-08", "愛知県名古屋市中区栄1-1-1", 0, Relationship::Child),
            person("井上 陽", "イノウエ ヒナタ", "1990-12-12", "京都府京都市左京区吉田本町1", 1, Relationship::Head),
        ];
        let base = s.reserve_households(2).await.unwrap();
        let loaded = s.load(&people, base, TODAY).await.unwrap();
        // A load killed here (no finish_bulk) is indexed when the registry is next opened.
        s.db().pool.close().await;
        let s = store(Db::open(&url).await.unwrap()).await;
        let found = s.lookup(&q("松本蓮", "2005-08-08", "名古屋市中区栄一丁目1番1号")).await.unwrap();
        assert!(matches!(found, LookupOutcome::Unique(ref m) if m.resident == loaded[1]), "{found:?}");
        assert_eq!(s.by_number(loaded[2].number).await.unwrap().as_ref(), Some(&loaded[2]));
        assert_eq!(s.household_members(loaded[0].household).await.unwrap().len(), 2);
        let h = s.history(loaded[0].code).await.unwrap();
        assert_eq!(h[0].kind, "birth");
        assert_eq!(h[0].detail["name"], "松本 大和");
        assert_eq!(h[0].effective_on, "1975-03-03");
        assert!(matches!(s.begin_bulk().await, Err(RegistryError::NotEmpty(3))), "a registry in use keeps its indexes");
        s.finish_bulk().await.unwrap();
    }
}

#[tokio::test]
async fn a_database_of_the_retired_schema_is_refused_with_what_to_do() {
    for url in myna_testkit::fresh_urls().await {
        // As a development build before the compact layout would have left it.
        sqlx::any::install_default_drivers();
        let connect = if url.starts_with("postgres") { url.clone() } else { format!("{url}?mode=rwc") };
        let raw = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&connect).await.unwrap();
        sqlx::query("CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL)")
            .execute(&raw)
            .await
            .unwrap();
        sqlx::query("INSERT INTO schema_migrations (version, name) VALUES (1, 'registry')")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let err = Db::open(&url).await.unwrap_err();
        assert!(matches!(err, StoreError::RetiredSchema(1)), "{err}");
        assert!(err.to_string().contains("regenerate"), "{err}");
    }
}

/// Bulk code acquisition looks many numbers up at once: each number J-LIS holds gives its
/// resident's record code, others nothing, on each back end.
#[tokio::test]
async fn many_numbers_are_found_at_once() {
    for url in myna_testkit::fresh_urls().await {
        let s = store(Db::open(&url).await.unwrap()).await;
        let mut codes = Vec::new();
        let mut numbers = Vec::new();
        for (i, name) in ["青木 一", "青木 二", "青木 三"].iter().enumerate() {
            let on = date!(2020 - 04 - 01) + time::Duration::days(i as i64);
            let ev = birth(name, "アオキ", on, "東京都千代田区千代田1-1", None, Relationship::Head);
            let r = s.record(None, &ev, None, TODAY).await.unwrap().resident;
            codes.push(r.code.value());
            numbers.push(r.number);
        }
        let nobody: myna_number::IndividualNumber = "123456789018".parse().unwrap();
        let found = s.residents_of(&[numbers[2], nobody, numbers[0]]).await.unwrap();
        assert_eq!(found.len(), 2, "{url}");
        assert_eq!(found[&numbers[0].value()].code.value(), codes[0], "{url}");
        assert_eq!(found[&numbers[2].value()].code.value(), codes[2], "{url}");
        assert_eq!(found[&numbers[2].value()].number, numbers[2], "{url}");
    }
}
