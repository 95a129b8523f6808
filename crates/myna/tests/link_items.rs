//! Linking a number with the agency's own 4 items (issue 20, at the source): J-LIS links only
//! when they are the number's resident's — notations and old character forms folded — and
//! says which item differs; fewer than the rule's items, or a number with a wrong check digit,
//! are refused with the reason.

use myna_link::{Enrolment, LinkItems};
use myna_linkage::agency;
use myna_testnet::{TestNet, any, db};

#[tokio::test]
async fn a_number_links_only_with_its_residents_four_items() {
    let net = TestNet::start("link-items", 11).await;
    let hanako = net.born("b0", "髙橋 花子", "タカハシ ハナコ").await;
    let taro = net.born_in("b1", "髙橋 太郎", "タカハシ タロウ", Some(hanako.household)).await;
    let pension = agency::start(db().await, &net.identity("pension_service"), any(), net.config("日本年金機構"))
        .await
        .unwrap()
        .agency;
    pension.register().await.unwrap();
    let link_items = |number: &str, name: &str, birth: &str, sex: Option<&str>, address: &str| LinkItems {
        number: number.into(),
        name: name.into(),
        birth: birth.into(),
        sex: sex.map(str::to_string),
        address: address.into(),
    };
    let items = |number: &str, name: &str, birth: &str, sex: Option<&str>, address: &str| {
        Enrolment::Items(link_items(number, name, birth, sex, address))
    };
    let err = |e: myna_linkage::agency::AgencyError| e.to_string();

    // Her own items, written as a form would: the old character form, full-width digits.
    let code = pension
        .obtain_code(items(&hanako.number, "高橋 花子", "1990-04-01", Some("female"), "千代田区千代田１－１"))
        .await
        .unwrap();
    // A number alone is refused, saying what to send.
    let e = err(pension.obtain_code(Enrolment::NumberOnly { number: hanako.number.clone() }).await.unwrap_err());
    assert!(e.contains("a number alone is not linked") && e.contains("address"), "{e}");
    // In a batch: her line is linked (the same code); her number with her son's items (the
    // family swap) and a number nobody has are refused alone, each with the reason.
    let batch = [
        (
            "p0".to_string(),
            link_items(&hanako.number, "高橋 花子", "1990-04-01", Some("female"), "千代田区千代田１－１"),
        ),
        ("p1".to_string(), link_items(&hanako.number, "髙橋 太郎", "1990-04-01", None, "東京都千代田区千代田1-1")),
        ("p2".to_string(), link_items("123456789018", "髙橋 太郎", "1990-04-01", None, "東京都千代田区千代田1-1")),
    ];
    let linked = pension.enrol_batch(&batch).await.unwrap();
    assert_eq!(linked[0].as_deref(), Ok(code.as_str()));
    assert!(linked[1].as_ref().is_err_and(|e| e.contains("name") && e.contains("not linked")), "{linked:?}");
    assert!(linked[2].as_ref().is_err_and(|e| e.contains("no resident")), "{linked:?}");
    // 3 items without sex are enough.
    pension
        .obtain_code(items(&hanako.number, "髙橋 花子", "1990-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap();

    // The family swap: her number, her son's items.
    let e = err(pension
        .obtain_code(items(&hanako.number, "髙橋 太郎", "1990-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("name") && e.contains("not linked"), "{e}");
    let e = err(pension
        .obtain_code(items(&taro.number, "髙橋 太郎", "1991-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("date of birth"), "{e}");
    let e = err(pension
        .obtain_code(items(&taro.number, "髙橋 太郎", "1990-04-01", Some("male"), "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("sex"), "{e}");
    let e = err(pension
        .obtain_code(items(&taro.number, "髙橋 太郎", "1990-04-01", None, "大阪府大阪市北区梅田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("address"), "{e}");
    // Two items only, and a mistyped number.
    let e = err(pension.obtain_code(items(&taro.number, "髙橋 太郎", "1990-04-01", None, "")).await.unwrap_err());
    assert!(e.contains("missing: address"), "{e}");
    let mut wrong = taro.number.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let e = err(pension
        .obtain_code(items(&wrong, "髙橋 太郎", "1990-04-01", None, "東京都千代田区千代田1-1"))
        .await
        .unwrap_err());
    assert!(e.contains("check digit"), "{e}");
}

#[tokio::test]
async fn an_inspection_classes_each_link_as_the_2023_inspection_did() {
    use serde_json::{Value, json};
    let net = TestNet::start("inspection", 12).await;
    let hanako = net.born("b0", "髙橋 花子", "タカハシ ハナコ").await;
    let taro = net.born_in("b1", "髙橋 太郎", "タカハシ タロウ", Some(hanako.household)).await;
    let jiro = net.born("b2", "鈴木 次郎", "スズキ ジロウ").await;
    let ume = net.born("b3", "佐藤 梅", "サトウ ウメ").await;
    let event = |key: &str, body: Value| {
        let (c, url, key) = (net.clerk.clone(), format!("{}/v1/events", net.jlis.url()), key.to_string());
        async move {
            let r = c.post(url).header("idempotency-key", key).json(&body).send().await.unwrap();
            assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        }
    };
    event("n0", json!({"kind": "name_change", "on": "2020-01-01", "resident": jiro.code, "name": "田中 次郎", "kana": "タナカ ジロウ"})).await;
    event("d0", json!({"kind": "death", "on": "2025-05-01", "resident": ume.code})).await;
    let here = "東京都千代田区千代田1-1";
    let line = |number: &str, name: &str, address: &str| json!({"number": number, "name": name, "birth": "1990-04-01", "address": address});
    let body = json!({"task": "pension_award", "case": "総点検-2026-1", "lines": [
        line(&hanako.number, "高橋 花子", here),
        line(&hanako.number, "髙橋 太郎", here),
        line(&taro.number, "髙橋 太郎", "東京都千代田区永田町1-7-1"),
        line(&jiro.number, "鈴木 次郎", here),
        line(&ume.number, "佐藤 梅", here),
        line("123456789012", "誰 か", here),
        json!({"number": taro.number, "name": "髙橋 太郎", "birth": "1990-04-01", "address": ""}),
    ]});
    let pension = net.identity("pension_service").client().unwrap();
    let r = pension.post(format!("{}/v1/inspection", net.jlis.url())).json(&body).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(status, 200, "{text}");
    let v: Vec<Value> = serde_json::from_str(&text).unwrap();
    let standing: Vec<&str> = v.iter().map(|x| x["standing"].as_str().unwrap()).collect();
    assert_eq!(standing, ["matches", "wrong", "changed", "changed", "deceased", "refused", "refused"], "{v:?}");
    assert_eq!(v[1]["other_in_household"], true, "the family swap: {}", v[1]);
    assert_eq!(v[2]["items"], json!(["address"]));
    assert_eq!(v[3]["items"], json!(["name"]), "linked under his former name");
    assert!(v[5]["reason"].as_str().unwrap().contains("check digit"), "{}", v[5]);
    assert!(v[6]["reason"].as_str().unwrap().contains("address"), "{}", v[6]);
    assert!(!v[1].to_string().contains(&taro.code), "the other person is never named");
    // A task the caller does not hold is refused.
    let r = pension
        .post(format!("{}/v1/inspection", net.jlis.url()))
        .json(&json!({"task": "child_allowance", "case": "総点検-2026-1", "lines": [line(&hanako.number, "髙橋 花子", here)]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

// The command blocks its thread; the nodes are served by the other worker.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bulk_inspection_reports_in_the_seeds_form_and_resumes_without_counting_twice() {
    let net = TestNet::start("inspect-cli", 13).await;
    let hanako = net.born("b0", "髙橋 花子", "タカハシ ハナコ").await;
    let taro = net.born_in("b1", "髙橋 太郎", "タカハシ タロウ", Some(hanako.household)).await;
    let pension =
        agency::start(db().await, &net.identity("pension_service"), any(), net.config("日本年金機構")).await.unwrap();
    pension.agency.register().await.unwrap();
    let token = net.dir.join("pension.token");
    std::fs::write(&token, &pension.clerk_token).unwrap();
    let here = "東京都千代田区千代田1-1";
    let csv = format!(
        "person,number,name,birth,sex,address\nP1,{h},髙橋 花子,1990-04-01,female,{here}\nP2,{h},髙橋 太郎,1990-04-01,,{here}\nP3,{t},髙橋 太郎,1990-04-01,,{here}\nnot a line\n",
        h = hanako.number,
        t = taro.number
    );
    let links = net.dir.join("links.csv");
    std::fs::write(&links, csv).unwrap();
    let out = net.dir.join("inspection");
    let run = || {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_myna"))
            .args(["link", "inspect", "--agency", &pension.node.url(), "--task", "pension_award"])
            .args(["--case", "総点検-2026-2", "--links"])
            .arg(&links)
            .arg("--token-file")
            .arg(&token)
            .arg("--ca")
            .arg(net.dir.join("ca.pem"))
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(net.dir.join("inspection.report.json")).unwrap())
            .unwrap()
    };
    let report = run();
    assert_eq!(report["checked"], 3, "{report}");
    assert_eq!(report["wrong"], 1, "{report}");
    assert_eq!(report["family_swaps"], 1, "{report}");
    assert_eq!(report["refused"], 1, "the malformed line alone: {report}");
    assert_eq!(report["rate_percent"], "33.333");
    assert_eq!(report["suspected_lines"], serde_json::json!([1]));
    // Killed after writing its batch but before the state said so: the batch is sent again,
    // its lines written twice, and still counted once.
    let results = net.dir.join("inspection.results.jsonl");
    let before = std::fs::read_to_string(&results).unwrap().lines().count();
    std::fs::write(net.dir.join("inspection.state"), "0").unwrap();
    let again = run();
    assert_eq!(std::fs::read_to_string(&results).unwrap().lines().count(), 2 * before);
    assert_eq!(again, report);
    // Finished: run again, nothing is sent and the report stands.
    let last = run();
    assert_eq!(std::fs::read_to_string(&results).unwrap().lines().count(), 2 * before);
    assert_eq!(last, report);
    // The suspect link is queued at the agency's node, once, for a clerk.
    let queue = pension.agency.suspects().await.unwrap();
    assert_eq!(queue.iter().map(|s| s.person.as_str()).collect::<Vec<_>>(), ["P2"]);
    assert!(queue[0].other_in_household);
}

/// 券面事項入力補助: the card J-LIS issues holds the number and the 4 items as J-LIS signed
/// them, behind the PIN; an agency enrols from it with nothing typed, and refuses face data
/// that was altered or that another node signed.
#[tokio::test]
async fn an_agency_enrols_from_the_cards_face_data_and_refuses_what_j_lis_did_not_sign() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let net = TestNet::start("link-face", 12).await;
    let hanako = net.born("f0", "髙橋 花子", "タカハシ ハナコ").await;
    let ichiro = net.born("f1", "佐藤 一郎", "サトウ イチロウ").await;
    let face = hanako.card.face.clone().expect("J-LIS wrote the face data into the card it issued");
    let pension = agency::start(db().await, &net.identity("pension_service"), any(), net.config("日本年金機構"))
        .await
        .unwrap()
        .agency;
    pension.register().await.unwrap();

    // What the card says is her number and her items, as the register has them.
    let read = pension.read_face(&face).unwrap();
    assert_eq!(read.items.number, hanako.number);
    assert_eq!(read.items.name, "髙橋 花子");
    assert_eq!(read.card, hanako.card.number);
    // Enrolled from it: the same code as by her items typed.
    let (_, code) = pension.enrol_by_card("pf0", &face).await.unwrap();
    assert_eq!(code, pension.obtain_code(Enrolment::Items(hanako.items())).await.unwrap());
    // Read again under another reference: the clerk is told which one the agency holds her by.
    let e = pension.enrol_by_card("pf9", &face).await.unwrap_err().to_string();
    assert!(e.contains("already enrolled here as pf0"), "{e}");

    // Her face data with another resident's number put in: J-LIS's signature no longer holds.
    let mut parts: Vec<String> = face.split('.').map(str::to_string).collect();
    let payload = String::from_utf8(Base64UrlUnpadded::decode_vec(&parts[1]).unwrap()).unwrap();
    parts[1] = Base64UrlUnpadded::encode_string(payload.replace(&hanako.number, &ichiro.number).as_bytes());
    let e = pension.enrol_by_card("pf1", &parts.join(".")).await.unwrap_err().to_string();
    assert!(e.contains("does not verify"), "{e}");
    // Face data made by a node of the network that is not J-LIS (here the agency itself).
    let own = net.identity("pension_service");
    let forged = myna_link::NodeKey::from_pem(&own.cert_pem, &own.key_pem).unwrap().sign(&read).unwrap();
    let e = pension.enrol_by_card("pf2", &forged).await.unwrap_err().to_string();
    assert!(e.contains("not by J-LIS"), "{e}");
}
