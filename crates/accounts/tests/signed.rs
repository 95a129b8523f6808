//! A resident registers their account through the portal, signed with the card: the registry
//! has J-LIS check the signature and name the signer by the registry's own code, and checks
//! the holder's name against the reading J-LIS gives. Someone else's card, a name that is not
//! the resident's, a bank that does not exist and a stale instruction are refused with the
//! reason; the change reaches an agency that asks for the account.

use base64ct::{Base64, Encoding as _};
use myna_link::{AccountAction, AccountInstruction, Enrolment, PushKind, SignedInstruction};
use myna_testnet::{TestNet, any, db};
use serde_json::{Value, json};

fn instruction(holder: &str, bank: &str, at: i64) -> AccountInstruction {
    AccountInstruction {
        action: AccountAction::Register,
        bank: bank.into(),
        branch: "001".into(),
        kind: "1".into(),
        number: "1234567".into(),
        holder: holder.into(),
        at,
    }
}

#[tokio::test]
async fn an_account_registered_in_the_portal_is_the_signers_and_in_their_name() {
    let net = TestNet::start("accounts", 3).await;
    let people =
        [net.born("b0", "山田 花子", "ヤマダ ハナコ").await, net.born("b1", "鈴木 一郎", "スズキ イチロウ").await];
    let registry = myna_accounts::start(db().await, &net.identity("account_registry"), any(), net.config("registry"))
        .await
        .unwrap();
    registry.agency.agency.register().await.unwrap();
    let (portal, _) = net.portal().await;
    // The portal knows Hanako by the certificate she logged in with, as at login.
    let (hanako, card) = (&people[0].number, &people[0].card);
    let serial = myna_pki::CardCert::parse(&Base64::decode_vec(&card.cert).unwrap()).unwrap().serial.to_string();
    portal.enrol("hanako", Enrolment::Certificate { user_auth_serial: serial }).await.unwrap();
    let send = |i: &AccountInstruction, by: &myna_testkit::card::TestCard| {
        let bytes = i.bytes();
        let (certificate, signature) = by.sign_document(&bytes);
        serde_json::to_vec(&SignedInstruction { certificate, message: Base64::encode_string(&bytes), signature })
            .unwrap()
    };
    let to: myna_link::AgencyId = "account_registry".parse().unwrap();
    let push = |plain: Vec<u8>| {
        let (portal, to) = (portal.clone(), to.clone());
        async move { portal.push("hanako", &to, PushKind::AccountRegistration, &plain, 0).await.map_err(|e| e.to_string()) }
    };
    let now = myna_node::now_secs();

    // Refused, each with its reason: another's name, a bank that is none, someone else's card,
    // an instruction signed long ago.
    let e = push(send(&instruction("スズキ イチロウ", "0001", now), card)).await.unwrap_err();
    assert!(e.contains("ﾔﾏﾀﾞ ﾊﾅｺ") || e.contains("holder") || e.contains("名義"), "{e}");
    let e = push(send(&instruction("ヤマダ ハナコ", "0002", now), card)).await.unwrap_err();
    assert!(e.contains("0002"), "{e}");
    let e = push(send(&instruction("スズキ イチロウ", "0001", now), &people[1].card)).await.unwrap_err();
    assert!(e.contains("not the resident the portal names"), "{e}");
    let e = push(send(&instruction("ヤマダ ハナコ", "0001", now - 3_600), card)).await.unwrap_err();
    assert!(e.contains("10 minutes"), "{e}");
    let mut tampered: SignedInstruction =
        serde_json::from_slice(&send(&instruction("ヤマダ ハナコ", "0001", now), card)).unwrap();
    tampered.message = Base64::encode_string(&instruction("ヤマダ ハナコ", "0009", now).bytes());
    let e = push(serde_json::to_vec(&tampered).unwrap()).await.unwrap_err();
    assert!(e.contains("signature"), "{e}");

    // Her own, in her name: registered under the registry's code for her.
    push(send(&instruction("ヤマダ ハナコ", "0001", now), card)).await.unwrap();
    let code = registry.agency.agency.obtain_code(Enrolment::Items(people[0].items())).await.unwrap();
    let (a, status) = registry.registry.account(&code).await.unwrap().unwrap();
    assert_eq!((a.bank.as_str(), a.holder.as_str(), status), ("0001", "ﾔﾏﾀﾞ ﾊﾅｺ", myna_accounts::Status::Active));
    let h = registry.registry.history(&code).await.unwrap();
    assert_eq!((h.len(), h[0].2.as_str()), (1, "portal"));
    // And removed the same way.
    let mut remove = instruction("", "", now);
    remove.action = AccountAction::Remove;
    push(send(&remove, card)).await.unwrap();
    assert!(registry.registry.account(&code).await.unwrap().is_none());

    // At a bank's counter: the bank's system, by its certificate, for its own customer.
    let url = format!("{}/v1/bank/registrations", registry.agency.node.url());
    let at_bank = |holder: &str, number: &str| {
        json!({"number": number, "name": "山田 花子", "birth": myna_testnet::BIRTH, "address": myna_testnet::ADDRESS,
        "branch": "001", "kind": "1", "account": "7654321", "holder": holder, "consent": "K-2026-1"})
    };
    let call = |who: &str, body: Value| {
        let (c, url) = (net.identity(who).client().unwrap(), url.clone());
        async move {
            let r = c.post(&url).json(&body).send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap_or_default())
        }
    };
    let (status, v) = call("municipality:131016", at_bank("ヤマダ ハナコ", hanako)).await;
    assert_eq!(status, 403, "{v}: only a bank");
    let (status, v) = call("bank:0005", at_bank("スズキ イチロウ", hanako)).await;
    assert_eq!(status, 422, "{v}: not the customer's name");
    let (status, v) = call("bank:0005", at_bank("ヤマダ ハナコ", "123456789018")).await;
    assert_eq!(status, 404, "{v}: nobody has that number");
    // Ichiro's number with Hanako's items (a number written for the wrong customer): refused.
    let (status, v) = call("bank:0005", at_bank("ヤマダ ハナコ", &people[1].number)).await;
    assert_eq!(status, 422, "{v}: the items are not the number's resident's");
    assert!(v.to_string().contains("name"), "{v}: says which item differs");
    let (status, v) = call("bank:0005", at_bank("ヤマダ ハナコ", hanako)).await;
    assert_eq!((status, v["status"].as_str()), (200, Some("active")), "{v}");
    let (a, _) = registry.registry.account(&code).await.unwrap().unwrap();
    assert_eq!(a.bank, "0005");
    let h = registry.registry.history(&code).await.unwrap();
    assert!(h.last().unwrap().2.contains("bank:0005 consent:K-2026-1"), "{h:?}");
    // The bank's counter is in the registry node's API document.
    let doc: Value = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(net.identity("x").ca_pem.as_bytes()).unwrap())
        .build()
        .unwrap()
        .get(format!("{}/openapi.json", registry.agency.node.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/v1/bank/registrations"]["post"].is_object());
    assert!(doc["paths"]["/v1/queries"]["post"].is_object());
}
