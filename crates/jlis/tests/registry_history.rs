//! The history read back from the events table gives every value a record ever held, for
//! random lives: the record as first written, and each change's replaced values.

use myna_jlis::store::RegistryStore;
use myna_registry::{Address, EventKind, LifeEvent, PersonName, Relationship, Resident, Sex, Status};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, macros::date};

const TODAY: Date = date!(2026 - 11 - 21);
const NAMES: [(&str, &str); 4] = [
    ("中村 葵", "ナカムラ アオイ"),
    ("小林 葵", "コバヤシ アオイ"),
    ("加藤 葵", "カトウ アオイ"),
    ("吉田 葵", "ヨシダ アオイ"),
];
/// Towns by municipality: a move within one stays in its list.
const PLACES: [(&str, [&str; 2]); 3] = [
    ("千代田区", ["東京都千代田区霞が関1", "東京都千代田区永田町1"]),
    ("大阪市北区", ["大阪府大阪市北区梅田1", "大阪府大阪市北区中之島1"]),
    ("札幌市中央区", ["北海道札幌市中央区北一条西2", "北海道札幌市中央区大通西1"]),
];

fn address(rng: &mut ChaCha8Rng, towns: &[&str; 2]) -> Address {
    let t = towns[rng.random_range(0..2)];
    Address::parse(&format!("{t}-{}-{}", rng.random_range(1..9), rng.random_range(1..20))).unwrap()
}

/// A random event that can happen to `r` on `on`.
fn next_event(rng: &mut ChaCha8Rng, r: &Resident, on: Date) -> LifeEvent {
    let kind = match (&r.status, rng.random_range(0..3)) {
        (Status::MovedOut { .. }, _) => {
            // A 転入 where the 転出 said.
            let to = myna_registry::moving::destination(&r.status).unwrap();
            let (_, towns) = PLACES.iter().find(|(c, _)| *c == to.normalized().city).unwrap();
            EventKind::MoveIn { address: address(rng, towns), household: None, relationship: Relationship::Head }
        }
        (_, 0) => {
            let city = &r.address.normalized().city;
            let (_, towns) = PLACES.iter().find(|(c, _)| c == city).unwrap();
            EventKind::MoveWithin { address: address(rng, towns) }
        }
        (_, 1) => {
            let others: Vec<_> = NAMES.iter().filter(|(n, _)| *n != r.name.kanji).collect();
            let (n, k) = others[rng.random_range(0..others.len())];
            EventKind::NameChange { name: PersonName::new(n, k).unwrap() }
        }
        _ => {
            let city = &r.address.normalized().city;
            let others: Vec<_> = PLACES.iter().filter(|(c, _)| c != city).collect();
            let pick = rng.random_range(0..others.len());
            EventKind::MoveOut { to: address(rng, &others[pick].1) }
        }
    };
    LifeEvent { on, kind }
}

fn first_written(r: &Resident) -> serde_json::Value {
    serde_json::json!({
        "name": r.name.kanji, "kana": r.name.kana, "birth": r.birth.to_string(),
        "sex": r.sex.map(Sex::as_str), "address": r.address.line(),
        "household": r.household, "relationship": r.relationship.as_str(),
    })
}

#[tokio::test]
async fn history_gives_back_every_value_of_random_lives() {
    for db in myna_testkit::fresh_dbs().await.unwrap() {
        let s = RegistryStore::open(db, || [9; 32]).await.unwrap();
        for seed in 0..12u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let born = date!(1960 - 01 - 01) + Duration::days(rng.random_range(0..9000));
            let ev = LifeEvent {
                on: born,
                kind: EventKind::Birth {
                    name: PersonName::new(NAMES[0].0, NAMES[0].1).unwrap(),
                    sex: Some(Sex::Female),
                    address: address(&mut rng, &PLACES[0].1),
                    household: None,
                    relationship: Relationship::Head,
                },
            };
            let first = s.record(None, &ev, None, TODAY).await.unwrap().resident;
            // Every state the record passed through, oldest first.
            let mut states = vec![first.clone()];
            let mut on = born;
            for _ in 0..rng.random_range(1..8) {
                on += Duration::days(rng.random_range(1..400));
                let cur = states.last().unwrap().clone();
                let ev = next_event(&mut rng, &cur, on);
                let next = s.record(Some(first.code), &ev, None, TODAY).await.unwrap().resident;
                states.push(next);
            }
            let h = s.history(first.code).await.unwrap();
            assert_eq!(h.len(), states.len(), "seed {seed}");
            assert_eq!(h[0].detail, first_written(&first), "seed {seed}: the record as first written");
            for (i, e) in h.iter().enumerate().skip(1) {
                let (before, after) = (&states[i - 1], &states[i]);
                if let Some(from) = e.detail.get("from") {
                    for (k, v) in from.as_object().unwrap() {
                        assert_eq!(
                            &first_written(before)[k],
                            v,
                            "seed {seed}, event {i} ({}): {k} it replaced",
                            e.kind
                        );
                        assert_eq!(&first_written(after)[k], &e.detail[k], "seed {seed}, event {i}: {k} it set");
                    }
                }
            }
            assert_eq!(s.resident(first.code).await.unwrap().as_ref(), states.last(), "seed {seed}");
        }
    }
}
