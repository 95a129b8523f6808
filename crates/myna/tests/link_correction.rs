//! マイナンバー情報総点検 at an agency, end to end (issue 20, parts 3 and 4): a record linked
//! to a family member's number (a link made before the 4-item rule) is found by the agency's
//! inspection and queued; the clerk's correction with a number that is not the person's is
//! refused by J-LIS; with the right one the record is re-linked, the exchange made under the
//! wrong link is marked by a new log entry in both people's records, and both are told.

use myna_link::{
    Enrolment, Entry, LINK_CORRECTION,
    inspection::{AgencyInspection, Correction, Dismissal, RecordToInspect},
};
use myna_linkage::agency;
use myna_testnet::{TestNet, any, db};

fn record(person: &str, number: &str, of: &myna_testnet::Person) -> RecordToInspect {
    RecordToInspect::new(person, myna_link::LinkItems { number: number.into(), ..of.items() })
}

#[tokio::test]
async fn a_family_swap_is_found_corrected_and_both_people_see_what_happened() {
    let net = TestNet::start("link-correction", 13).await;
    let hanako = net.born("b0", "髙橋 花子", "タカハシ ハナコ").await;
    let taro = net.born_in("b1", "髙橋 太郎", "タカハシ タロウ", Some(hanako.household)).await;
    let (_portal, inbox) = net.portal().await;
    let pension = agency::start(db().await, &net.identity("pension_service"), any(), net.config("日本年金機構"))
        .await
        .unwrap()
        .agency;
    pension.register().await.unwrap();

    // Taro's record, linked long ago with his mother's number (her items went with it then).
    let wrong = pension.enrol("taro-rec", Enrolment::Items(hanako.items())).await.unwrap();
    let notice = myna_link::clerk_api::NoticeSend {
        person: "taro-rec".into(),
        title: "年金のお知らせ".into(),
        body: "裁定請求を受け付けました。".into(),
        deliver_at: None,
        reply: None,
    };
    let under_wrong = pension.notify(&notice).await.unwrap().record;

    // The inspection: his record carries her number with his items; hers is right.
    let req = AgencyInspection {
        task: "pension_award".into(),
        case: "点検-2026-1".into(),
        records: vec![record("taro-rec", &hanako.number, &taro), record("hanako-rec", &hanako.number, &hanako)],
    };
    let done = pension.inspect(&req).await.unwrap();
    assert_eq!(done.queued, 1);
    assert_eq!(done.results[0].standing, "wrong");
    assert!(done.results[0].other_in_household, "the family swap is told apart");
    assert_eq!(done.results[1].standing, "matches");
    let queue = pension.suspects().await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].person.as_str(), queue[0].status.as_str()), ("taro-rec", "open"));

    // Her number again: J-LIS refuses it with his items, naming the item; nothing changes.
    let e = pension.correct("taro-rec", &Correction { number: hanako.number.clone() }, "clerk1").await.unwrap_err();
    assert!(e.reason().contains("name") && e.reason().contains("not linked"), "{e}");
    assert_eq!(pension.store.code_of("taro-rec").await.unwrap().as_deref(), Some(wrong.as_str()));

    // His own number: re-linked, the exchange marked, both told.
    let told_before = inbox.lock().unwrap().len();
    let fixed = pension.correct("taro-rec", &Correction { number: taro.number.clone() }, "clerk1").await.unwrap();
    assert_eq!(fixed.marked, 1);
    assert_ne!(fixed.code, wrong);
    assert_eq!(pension.store.code_of("taro-rec").await.unwrap(), Some(fixed.code.clone()));
    let told: Vec<_> = inbox.lock().unwrap()[told_before..].to_vec();
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told.iter().all(|(_, t)| t.title.contains("紐付けの訂正")), "{told:?}");
    assert_ne!(told[0].0, told[1].0, "one notice to each person");

    // The log: the exchange is still there; a correction entry in each person's records
    // names it, one under her tag (the exchange's), one under his.
    let hub = &net.hub_state;
    let size = hub.log.head().unwrap().head.size;
    let entries: Vec<Entry> = hub
        .store
        .entries(0, size)
        .await
        .unwrap()
        .into_iter()
        .map(|e| serde_json::from_str(&e.unwrap()).unwrap())
        .collect();
    let exchange = &entries[under_wrong as usize];
    let corrections: Vec<&Entry> = entries.iter().filter(|e| e.task == LINK_CORRECTION).collect();
    assert_eq!(corrections.len(), 2);
    assert!(corrections.iter().all(|e| e.concerns == [under_wrong]), "{corrections:?}");
    assert_eq!(corrections.iter().filter(|e| e.subject == exchange.subject).count(), 1, "one in her records");
    assert_ne!(corrections[0].subject, corrections[1].subject, "and one in his");

    // Decided once: sent again, it is refused and nothing more is logged or told.
    let e = pension.correct("taro-rec", &Correction { number: taro.number.clone() }, "clerk1").await.unwrap_err();
    assert!(e.to_string().contains("already corrected"), "{e}");
    assert_eq!(hub.log.head().unwrap().head.size, size);
    // Inspected again, his record matches.
    let again = AgencyInspection { records: vec![record("taro-rec", &taro.number, &taro)], ..req.clone() };
    assert_eq!(pension.inspect(&again).await.unwrap().results[0].standing, "matches");

    // A suspect the clerk finds right after all is dismissed, with a reason.
    let odd = AgencyInspection { records: vec![record("x-rec", &taro.number, &hanako)], ..req };
    pension.inspect(&odd).await.unwrap();
    let e = pension.dismiss("x-rec", &Dismissal { reason: " ".into() }, "clerk1").await.unwrap_err();
    assert!(e.to_string().contains("reason"), "{e}");
    pension.dismiss("x-rec", &Dismissal { reason: "本人確認書類で確認済み".into() }, "clerk1").await.unwrap();
    let q = pension.suspects().await.unwrap();
    let x = q.iter().find(|s| s.person == "x-rec").unwrap();
    assert_eq!((x.status.as_str(), x.closed_by.as_deref()), ("dismissed", Some("clerk1")));
    assert!(pension.dismiss("x-rec", &Dismissal { reason: "again".into() }, "clerk1").await.is_err());
}
