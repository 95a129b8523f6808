//! 預貯金口座付番 and 所在確認 on real nodes: a resident's signed request through the portal links
//! their number to their accounts at the bank they chose (and not at another), they find where
//! their accounts are, and a bank asking for an heir is answered only once J-LIS records the
//! death. Someone else's card, a bank that does not take part and a caller that is no bank are
//! refused with the reason.

use base64ct::{Base64, Encoding as _};
use myna_deposits::bank::Customer;
use myna_link::{DepositAsk, DepositRequest, Enrolment, PushKind, SignedInstruction};
use myna_testnet::{TestNet, any, db};
use serde_json::{Value, json};

fn customer(branch: &str, account: &str, kana: &str) -> Customer {
    Customer {
        branch: branch.into(),
        kind: "1".into(),
        account: account.into(),
        kana: kana.into(),
        birth: "1990-04-01".into(),
    }
}

#[tokio::test]
async fn numbers_link_at_the_chosen_banks_and_heirs_ask_only_after_the_death() {
    let net = TestNet::start("deposits", 4).await;
    let people =
        [net.born("b0", "山田 花子", "ヤマダ ハナコ").await, net.born("b1", "鈴木 一郎", "スズキ イチロウ").await];
    // Two banks: みずほ holds two of Hanako's accounts and one of Ichiro's, 三菱UFJ one of hers.
    let (mizuho_node, mizuho) =
        myna_deposits::bank::start(db().await, "0001", &net.identity("bank:0001"), any()).await.unwrap();
    mizuho
        .add(&[
            customer("001", "1111111", "ヤマダ ハナコ"),
            customer("002", "2222222", "ヤマダ ハナコ"),
            customer("001", "3333333", "スズキ イチロウ"),
        ])
        .await
        .unwrap();
    let (mufg_node, mufg) =
        myna_deposits::bank::start(db().await, "0005", &net.identity("bank:0005"), any()).await.unwrap();
    mufg.add(&[customer("001", "4444444", "ヤマダ ハナコ")]).await.unwrap();
    let banks = vec![("0001".to_string(), mizuho_node.url()), ("0005".to_string(), mufg_node.url())];
    let dic = myna_deposits::dic::start(
        db().await,
        &net.identity("deposit_insurance"),
        any(),
        net.config("預金保険機構"),
        banks,
    )
    .await
    .unwrap();
    dic.agency.agency.register().await.unwrap();
    let (portal, inbox) = net.portal().await;
    let (hanako, hanako_code, card) = (&people[0].number, &people[0].code, &people[0].card);
    let serial = myna_pki::CardCert::parse(&Base64::decode_vec(&card.cert).unwrap()).unwrap().serial.to_string();
    portal.enrol("hanako", Enrolment::Certificate { user_auth_serial: serial }).await.unwrap();
    let to: myna_link::AgencyId = "deposit_insurance".parse().unwrap();
    let push = |ask: DepositAsk, by: &myna_testkit::card::TestCard| {
        let bytes = DepositRequest { ask, at: myna_node::now_secs() }.bytes();
        let (certificate, signature) = by.sign_document(&bytes);
        let plain =
            serde_json::to_vec(&SignedInstruction { certificate, message: Base64::encode_string(&bytes), signature })
                .unwrap();
        let (portal, to) = (portal.clone(), to.clone());
        async move { portal.push("hanako", &to, PushKind::DepositRequest, &plain, 0).await.map_err(|e| e.to_string()) }
    };

    let e = push(DepositAsk::Link { banks: vec!["0009".into()] }, card).await.unwrap_err();
    assert!(e.contains("0009") && e.contains("does not take part"), "{e}");
    let e = push(DepositAsk::Link { banks: vec!["0001".into()] }, &people[1].card).await.unwrap_err();
    assert!(e.contains("not the resident the portal names"), "{e}");
    assert_eq!(mizuho.whereabouts(&people[1].number).await.unwrap().len(), 0, "nothing linked for a refused request");

    // Her request: linked at みずほ (both her accounts, not Ichiro's), not at 三菱UFJ.
    push(DepositAsk::Link { banks: vec!["0001".into()] }, card).await.unwrap();
    assert_eq!(mizuho.whereabouts(hanako).await.unwrap().len(), 2);
    assert_eq!(mizuho.whereabouts(&people[1].number).await.unwrap().len(), 0);
    assert_eq!(mufg.whereabouts(hanako).await.unwrap().len(), 0, "only at the banks she chose");
    let told = inbox.lock().unwrap().last().cloned().unwrap().1;
    assert!(told.title.contains("付番") && told.body.contains("2口座"), "{told:?}");
    // Asked again: the same two, nothing more.
    push(DepositAsk::Link { banks: vec!["0001".into()] }, card).await.unwrap();
    assert_eq!(mizuho.whereabouts(hanako).await.unwrap().len(), 2);
    // Where are my accounts (a disaster victim's own 所在確認).
    push(DepositAsk::Whereabouts, card).await.unwrap();
    let told = inbox.lock().unwrap().last().cloned().unwrap().1;
    assert!(told.title.contains("所在確認") && told.body.matches("****").count() == 2, "{told:?}");

    // An heir at 三菱UFJ's counter: refused while she lives, answered after the death.
    let url = format!("{}/v1/whereabouts", dic.agency.node.url());
    let ask = |who: &str| {
        let (c, url, number) = (net.identity(who).client().unwrap(), url.clone(), hanako.clone());
        async move {
            let body = json!({"number": number, "name": "山田 花子", "birth": myna_testnet::BIRTH, "address": myna_testnet::ADDRESS, "case": "S-2026-7"});
            let r = c.post(&url).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or_default())
        }
    };
    let (status, v) = ask("bank:0005").await;
    assert_eq!(status, 403, "{v}");
    assert!(v.to_string().contains("no death"), "{v}");
    let (status, _) = ask("municipality:131016").await;
    assert_eq!(status, 403, "only a bank asks");
    let death = json!({"kind": "death", "on": "2026-11-30", "resident": hanako_code});
    let r = net
        .clerk
        .post(format!("{}/v1/events", net.jlis.url()))
        .header("idempotency-key", "d0")
        .json(&death)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let (status, v) = ask("bank:0005").await;
    assert_eq!(status, 200, "{v}");
    let found = v["accounts"].as_array().unwrap();
    assert_eq!(found.len(), 2, "{v}");
    assert!(found.iter().all(|a| a["bank"] == "0001" && a["account"].as_str().unwrap().starts_with("****")), "{v}");
}
