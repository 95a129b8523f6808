//! 引越しワンストップ on real nodes: a mother and her child move from 千代田区 to 大阪市 with
//! one signed application. 千代田区's desk records the 転出 at J-LIS; 大阪市's keeps the
//! reservation and sees the 転出証明書情報 beside it before the visit (札幌市 sees nothing);
//! the visit completes the 転入 with the household carried over. Someone else's card, a
//! member who is not in the household and the wrong municipality are refused with the reason;
//! every step sent twice is one move.

use std::sync::Arc;

use axum::extract::State;
use myna_link::{Enrolment, MoveApplication, Movers, PushKind, SignedInstruction};
use myna_linkage::agency::{self, Agency};
use myna_moving::Moving;
use myna_testnet::{TestNet, any, db};
use serde_json::Value;

/// A municipality's agency node whose inbox hands move applications to its desk.
async fn municipality(net: &TestNet, lg: &str, name: &str) -> (Arc<Moving>, Arc<Agency>) {
    let cell = myna_moving::Cell::default();
    let inbox = cell.clone();
    let id = format!("municipality:{lg}");
    let started = agency::start_with(db().await, &net.identity(&id), any(), net.config(name), move |a: Arc<Agency>| {
        axum::Router::new()
            .route(
                "/v1/inbox",
                axum::routing::post(
                    |State((cell, a)): State<(myna_moving::Cell, Arc<Agency>)>, body: String| async move {
                        let (env, plain) = a.open_push(&body)?;
                        let f = &env.body;
                        myna_moving::take(&cell, f.sender.kind().unwrap(), f.kind, &f.code.to_string(), &plain).await?;
                        Ok::<_, myna_node::ApiError>(myna_node::jose(a.acknowledge(&env)?))
                    },
                ),
            )
            .with_state((inbox, a))
    })
    .await
    .unwrap();
    started.agency.register().await.unwrap();
    let desk = Moving::open(
        db().await,
        started.agency.clone(),
        net.identity(&id).client().unwrap(),
        &net.jlis.url(),
        (lg, name),
    )
    .await
    .unwrap();
    let desk = Arc::new(desk);
    let _ = cell.set(desk.clone());
    (desk, started.agency)
}

#[tokio::test]
async fn a_household_moves_with_one_application_and_the_destination_is_ready_before_the_visit() {
    let net = TestNet::start("moving", 7).await;
    let hanako = net.born("b0", "山田 花子", "ヤマダ ハナコ").await;
    let taro = net.born_in("b1", "山田 太郎", "ヤマダ タロウ", Some(hanako.household)).await;
    let ichiro = net.born("b2", "鈴木 一郎", "スズキ イチロウ").await;
    let (chiyoda, chiyoda_agency) = municipality(&net, "131016", "千代田区").await;
    let (osaka, osaka_agency) = municipality(&net, "271004", "大阪市").await;
    let (sapporo, _) = municipality(&net, "011002", "札幌市").await;
    // 千代田区 provides Hanako's 住民票 (its copy), as a municipality does for its residents.
    chiyoda_agency.enrol("hanako", Enrolment::Items(hanako.items())).await.unwrap();
    let record = serde_json::json!({"name": "山田 花子", "birth": "1990-04-01", "household_head": "山田 花子",
        "relationship": "世帯主", "members": [{"name": "山田 花子", "relationship": "世帯主", "birth": "1990-04-01"}]});
    chiyoda_agency.put_copy("hanako", "resident_record", None, &record).await.unwrap();
    let chiyoda_code = chiyoda_agency.store.code_of("hanako").await.unwrap().unwrap();
    let (portal, inbox) = net.portal().await;
    for (local, p) in [("hanako", &hanako), ("ichiro", &ichiro)] {
        let serial =
            myna_pki::CardCert::parse(&base64ct::Base64::decode_vec(&p.card.cert).unwrap()).unwrap().serial.to_string();
        portal.enrol(local, Enrolment::Certificate { user_auth_serial: serial }).await.unwrap();
    }
    use base64ct::Encoding as _;
    let today = myna_node::today_jst();
    let app = |movers: Movers| MoveApplication {
        movers,
        to: "大阪府大阪市北区梅田1-1".into(),
        on: today.to_string(),
        visit: (today + time::Duration::days(1)).to_string(),
        contact: "090-1234-5678".into(),
        at: myna_node::now_secs(),
    };
    let signed = |a: &MoveApplication, by: &myna_testkit::card::TestCard| {
        let bytes = a.bytes();
        let (certificate, signature) = by.sign_document(&bytes);
        serde_json::to_vec(&SignedInstruction {
            certificate,
            message: base64ct::Base64::encode_string(&bytes),
            signature,
        })
        .unwrap()
    };
    let push = |to: &str, kind: PushKind, plain: Vec<u8>| {
        let (portal, to) = (portal.clone(), to.parse::<myna_link::AgencyId>().unwrap());
        async move { portal.push("hanako", &to, kind, &plain, 0).await.map_err(|e| e.to_string()) }
    };
    let household = app(Movers::Named { names: vec!["山田 太郎".into()] });

    // Refused, each with its reason: another's card, a member from another household, a
    // reservation sent to the wrong municipality.
    let e = push("municipality:131016", PushKind::MoveOut, signed(&household, &ichiro.card)).await.unwrap_err();
    assert!(e.contains("someone other than"), "{e}");
    let stranger = app(Movers::Named { names: vec!["鈴木 一郎".into()] });
    let e = push("municipality:131016", PushKind::MoveOut, signed(&stranger, &hanako.card)).await.unwrap_err();
    assert!(e.contains("鈴木 一郎") && e.contains("not a member"), "{e}");
    let e = push("municipality:011002", PushKind::MoveIn, signed(&household, &hanako.card)).await.unwrap_err();
    assert!(e.contains("大阪市") && e.contains("札幌市"), "{e}");
    assert!(osaka.arrivals().await.unwrap().is_empty(), "nothing moved for a refused application");

    // The application, each part sent twice.
    let plain = signed(&household, &hanako.card);
    for _ in 0..2 {
        push("municipality:131016", PushKind::MoveOut, plain.clone()).await.unwrap();
        push("municipality:271004", PushKind::MoveIn, plain.clone()).await.unwrap();
    }
    let record = |code: String| {
        let (c, url) = (net.clerk.clone(), format!("{}/v1/residents/{code}", net.jlis.url()));
        async move { c.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let osaka_clerk = net.identity("municipality:271004").client().unwrap();
    let record_in_osaka = |code: String| {
        let (c, url) = (osaka_clerk.clone(), format!("{}/v1/residents/{code}", net.jlis.url()));
        async move { c.get(url).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let r = record_in_osaka(taro.code.clone()).await;
    assert!(r["error"].is_object(), "大阪市 keeps no register of theirs before the 転入: {r}");
    let r = record(taro.code.clone()).await;
    assert_eq!(r["status"], "moved_out", "{r}");
    assert_eq!(r["moved_to"], "大阪府大阪市北区梅田一丁目1", "{r}");
    let told = inbox.lock().unwrap().iter().filter(|(_, n)| n.title.contains("転出届")).count();
    assert_eq!(told, 1, "told once of the 転出届");
    assert!(
        chiyoda_agency.store.copy(&chiyoda_code, "resident_record").await.unwrap().is_none(),
        "千代田区 no longer provides it"
    );

    // 大阪市 sees both, with the reservation; 札幌市 nothing.
    let arrivals = osaka.arrivals().await.unwrap();
    assert_eq!(arrivals.len(), 1, "{arrivals:?}");
    let a = &arrivals[0];
    assert_eq!(a.reservation.as_ref().unwrap().1.contact, "090-1234-5678");
    let mut names: Vec<&str> = a.people.iter().map(|n| n.resident.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["山田 太郎", "山田 花子"]);
    assert!(
        a.people.iter().any(|n| n.resident.number.as_deref().map(|x| x.replace(' ', "")) == Some(taro.number.clone()))
    );
    assert!(sapporo.arrivals().await.unwrap().is_empty());
    assert!(chiyoda.arrivals().await.unwrap().is_empty());

    // The visit: at 札幌市 refused; at 大阪市 done, twice is once, the household carried.
    let codes: Vec<String> = a.people.iter().map(|n| n.resident.code.clone()).collect();
    let e = sapporo.complete(&codes, &today.to_string()).await.unwrap_err().to_string();
    assert!(e.contains("大阪市"), "{e}");
    for _ in 0..2 {
        let done = osaka.complete(&codes, &today.to_string()).await.unwrap();
        assert_eq!(done.len(), 2);
    }
    let (h, t) = (record_in_osaka(hanako.code.clone()).await, record_in_osaka(taro.code.clone()).await);
    for r in [&h, &t] {
        assert_eq!(r["status"], "resident", "{r}");
        assert!(r["address"].as_str().unwrap().starts_with("大阪府大阪市北区"), "{r}");
    }
    assert_eq!(h["household"], t["household"], "one household at the destination");
    // 大阪市 provides their 住民票 now: one household, Hanako at its head.
    let osaka_code = osaka_agency.store.code_of(&format!("jumin-{}", hanako.code)).await.unwrap().unwrap();
    let (_, body) = osaka_agency.store.copy(&osaka_code, "resident_record").await.unwrap().unwrap();
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["household_head"], "山田 花子", "{body}");
    assert_eq!(body["members"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!((h["relationship"].as_str(), t["relationship"].as_str()), (Some("head"), Some("child")));
    assert!(osaka.arrivals().await.unwrap().is_empty(), "no one left to come");
    let told = inbox.lock().unwrap().iter().filter(|(_, n)| n.title.contains("転入")).count();
    assert_eq!(told, 1, "told once of the 転入");
    // A reservation no 転出 followed lapses 30 days after its date: closed, the resident told.
    let alone = app(Movers::Household);
    let plain = signed(&alone, &ichiro.card);
    let e = portal.push("ichiro", &"municipality:271004".parse().unwrap(), PushKind::MoveIn, &plain, 0).await;
    e.unwrap();
    assert_eq!(osaka.sweep_lapsed(today + time::Duration::days(30)).await.unwrap(), 0);
    assert_eq!(osaka.sweep_lapsed(today + time::Duration::days(31)).await.unwrap(), 1);
    assert_eq!(osaka.sweep_lapsed(today + time::Duration::days(32)).await.unwrap(), 0, "told once");
    assert!(inbox.lock().unwrap().iter().any(|(_, n)| n.title.contains("期限が過ぎました")));
    // A reservation dated in the past is refused with the reason.
    let mut old = app(Movers::Household);
    old.on = (today - time::Duration::days(1)).to_string();
    let e = portal
        .push("ichiro", &"municipality:271004".parse().unwrap(), PushKind::MoveIn, &signed(&old, &ichiro.card), 0)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("has passed"), "{e}");
    // A 転居予約 within 千代田区: one reservation, J-LIS checks who moves; the visit records
    // the 転居 (twice is once). A 転居予約 to another municipality is refused.
    let mut within = app(Movers::Household);
    within.to = "東京都千代田区永田町1-7-1".into();
    let to_chiyoda = "municipality:131016".parse::<myna_link::AgencyId>().unwrap();
    let e =
        portal.push("ichiro", &to_chiyoda, PushKind::MoveWithin, &signed(&alone, &ichiro.card), 0).await.unwrap_err();
    assert!(e.to_string().contains("転出届"), "{e}");
    portal.push("ichiro", &to_chiyoda, PushKind::MoveWithin, &signed(&within, &ichiro.card), 0).await.unwrap();
    let waiting = chiyoda.within().await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].2.movers.len(), 1);
    for _ in 0..2 {
        let done = chiyoda.complete_within(&waiting[0].0, &today.to_string()).await.unwrap();
        assert!(done[0].address.starts_with("東京都千代田区永田町"), "{done:?}");
    }
    assert!(chiyoda.within().await.unwrap().is_empty());
    let told = inbox.lock().unwrap().iter().filter(|(_, n)| n.title.contains("転居の手続")).count();
    assert_eq!(told, 1, "told once of the 転居");
    // 千代田区 no longer keeps their register.
    let r = net.clerk.get(format!("{}/v1/residents/{}", net.jlis.url(), hanako.code)).send().await.unwrap();
    assert_eq!(r.status(), 403);
}
