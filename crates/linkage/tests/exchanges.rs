//! The linkage network with real nodes: J-LIS, the hub and agencies, each with its own
//! database and key, over HTTPS with mutual TLS.

mod common;

use base64ct::Encoding as _;
use common::*;
use myna_link::{AgencyId, Entry, Outcome, merkle};
use serde_json::{Value, json};

fn entry(v: &Value) -> Entry {
    serde_json::from_str(v["entry"].as_str().unwrap()).unwrap()
}

async fn head(c: &Country) -> (u64, [u8; 32]) {
    let v: Value =
        c.node_client().get(format!("{}/v1/log/head", c.hub.url())).send().await.unwrap().json().await.unwrap();
    let mut root = [0u8; 32];
    hex::decode_to_slice(v["root"].as_str().unwrap(), &mut root).unwrap();
    (v["size"].as_u64().unwrap(), root)
}

fn hashes(v: &Value) -> Vec<[u8; 32]> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let mut b = [0u8; 32];
            hex::decode_to_slice(h.as_str().unwrap(), &mut b).unwrap();
            b
        })
        .collect()
}

#[tokio::test]
async fn a_permitted_query_is_answered_sealed_recorded_and_provable() {
    let c = Country::start(None).await;
    let code_a = c.enrol(CITY_A, 0).await;
    let code_b = c.enrol(CITY_B, 0).await;
    assert_ne!(code_a, code_b, "two agencies know one person by different codes");
    assert_eq!(c.enrol(CITY_A, 0).await, code_a, "enrolling again keeps the code");
    assert!(!code_a.contains(&c.numbers[0]) && !code_b.contains(&c.numbers[0]));
    let (s, v) = c.put_copy(CITY_B, 0, "local_tax", "1.1", tax(3_217_946)).await;
    assert_eq!(s, 204, "{v}");

    let (s, v) = c.ask(CITY_A, 0, "child_allowance", "local_tax", CITY_B).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["outcome"], "delivered");
    assert_eq!(v["data"]["taxable_income"], 3_217_946);
    assert_eq!(v["version"], "1.1", "a 1.1 copy serves a request for the newest 1.x");
    let e = entry(&v);
    assert_eq!(
        (e.requester.as_str(), e.provider.as_str(), e.task.as_str(), e.item.as_str()),
        (CITY_A, CITY_B, "child_allowance", "local_tax")
    );
    assert_eq!(e.outcome, Outcome::Delivered);

    // The entry is in the log: its inclusion proof checks against the signed head.
    let (size, root) = head(&c).await;
    let index = v["record"].as_u64().unwrap();
    let p: Value = c
        .node_client()
        .get(format!("{}/v1/log/inclusion?index={index}&size={size}", c.hub.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    merkle::verify_inclusion(v["entry"].as_str().unwrap().as_bytes(), index, size, &root, &hashes(&p["proof"]))
        .unwrap();

    // The hub's database holds no payload and no number.
    let hub_file = std::fs::read(c.hub_db.trim_start_matches("sqlite://")).unwrap();
    let wal = std::fs::read(format!("{}-wal", c.hub_db.trim_start_matches("sqlite://"))).unwrap_or_default();
    for bytes in [&hub_file, &wal] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("3217946"), "the payload is not in the hub's database");
        assert!(!text.contains(&c.numbers[0]), "the individual number is not in the hub's database");
    }

    // Both agencies keep their own record of the exchange.
    let (_, mine) = c.clerk(CITY_A, reqwest::Method::GET, "/v1/exchanges", Value::Null).await;
    assert_eq!(
        (mine[0]["role"].as_str(), mine[0]["outcome"].as_str(), mine[0]["record"].as_u64()),
        (Some("asked"), Some("delivered"), Some(index))
    );
    let (_, theirs) = c.clerk(CITY_B, reqwest::Method::GET, "/v1/exchanges", Value::Null).await;
    assert_eq!((theirs[0]["role"].as_str(), theirs[0]["peer"].as_str()), (Some("answered"), Some(CITY_A)));

    // Nothing held for the other resident: an answer that says so, recorded.
    c.enrol(CITY_A, 1).await;
    let (s, v) = c.ask(CITY_A, 1, "child_allowance", "local_tax", CITY_B).await;
    assert_eq!((s, v["outcome"].as_str()), (200, Some("not_held")), "{v}");
}

#[tokio::test]
async fn refusals_are_recorded_and_shown_to_the_resident_with_proofs() {
    let c = Country::start(None).await;
    c.enrol(CITY_A, 0).await;
    c.enrol(PENSION, 0).await;
    let portal_code = c.enrol(PORTAL, 0).await;
    // A task that may not ask this provider for this item.
    let (s, v) = c.ask(CITY_A, 0, "child_allowance", "pension_benefit", PENSION).await;
    assert_eq!(s, 403, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("not on the permission table") && msg.contains("(record "), "{msg}");
    // The pension service may ask the city for resident records for a pension award; the
    // city holds none for this person yet: not held, still recorded.
    let (s, v) = c.ask(PENSION, 0, "pension_award", "resident_record", CITY_A).await;
    assert_eq!((s, v["outcome"].as_str()), (200, Some("not_held")), "{v}");

    // The portal lists the resident's records with proofs against the signed head.
    let key = key(&c.dir, PORTAL);
    let presence = c.proof(0, PORTAL_SERVICE, now() + 60).await;
    let env = myna_link::Envelope::new(
        PORTAL.parse().unwrap(),
        "hub".parse().unwrap(),
        now(),
        json!({"code": portal_code, "presence": presence}),
    );
    let (s, v) = c.to_hub(PORTAL, "/v1/log/person", key.sign(&env).unwrap()).await;
    assert_eq!(s, 200, "{v}");
    let trust = myna_link::NetworkTrust::from_ca_pem(&identity(&c.dir, "hub").ca_pem).unwrap();
    let signed: myna_link::Signed<myna_link::Envelope<Value>> = trust.open(v.as_str().unwrap(), now()).unwrap();
    assert_eq!(signed.signer.as_str(), "hub");
    let body = signed.body.body;
    let records = body["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    let (size, root_hex) = (body["head"]["size"].as_u64().unwrap(), body["head"]["root"].as_str().unwrap());
    let mut root = [0u8; 32];
    hex::decode_to_slice(root_hex, &mut root).unwrap();
    let outcomes: Vec<Outcome> = records.iter().map(|r| entry(r).outcome).collect();
    assert_eq!(outcomes, vec![Outcome::NotHeld, Outcome::Refused], "newest first");
    for r in records {
        merkle::verify_inclusion(
            r["entry"].as_str().unwrap().as_bytes(),
            r["index"].as_u64().unwrap(),
            size,
            &root,
            &hashes(&r["proof"]),
        )
        .unwrap();
    }
    // Another agency may not list them, even with its own valid code.
    let city_key = common::key(&c.dir, CITY_A);
    let code_a = c.enrol(CITY_A, 0).await;
    let env = myna_link::Envelope::new(
        CITY_A.parse().unwrap(),
        "hub".parse().unwrap(),
        now(),
        json!({"code": code_a, "presence": presence}),
    );
    let (s, _) = c.to_hub(CITY_A, "/v1/log/person", city_key.sign(&env).unwrap()).await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn another_agencys_code_tampered_unsigned_and_replayed_messages_are_refused() {
    let c = Country::start(None).await;
    let code_a = c.enrol(CITY_A, 0).await;
    let code_pension = c.enrol(PENSION, 0).await;
    c.enrol(CITY_B, 0).await;
    c.put_copy(CITY_B, 0, "local_tax", "1.0", tax(1_000_000)).await;
    let key_a = key(&c.dir, CITY_A);

    // City A asking with the pension service's code for the person.
    let jws = key_a.sign(&c.query(CITY_A, &code_pension, now())).unwrap();
    let (s, v) = c.to_hub(CITY_A, "/v1/query", jws).await;
    assert_eq!(s, 403, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("not issued to agency municipality:131016"), "{v}");

    // A genuine query, then the same message again: the same record, not a second exchange.
    let q = c.query(CITY_A, &code_a, now());
    let jws = key_a.sign(&q).unwrap();
    let (s1, v1) = c.to_hub(CITY_A, "/v1/query", jws.clone()).await;
    assert_eq!(s1, 200, "{v1}");
    let (size_before, _) = {
        let v: Value =
            c.node_client().get(format!("{}/v1/log/head", c.hub.url())).send().await.unwrap().json().await.unwrap();
        (v["size"].as_u64().unwrap(), ())
    };
    let (s2, v2) = c.to_hub(CITY_A, "/v1/query", jws.clone()).await;
    assert_eq!(s2, 200, "{v2}");
    let trust = myna_link::NetworkTrust::from_ca_pem(&identity(&c.dir, "hub").ca_pem).unwrap();
    let d1: myna_link::Signed<myna_link::Envelope<myna_link::Delivery>> =
        trust.open(v1.as_str().unwrap(), now()).unwrap();
    let d2: myna_link::Signed<myna_link::Envelope<myna_link::Delivery>> =
        trust.open(v2.as_str().unwrap(), now()).unwrap();
    assert_eq!(d1.body.body.record, d2.body.body.record);
    let v: Value =
        c.node_client().get(format!("{}/v1/log/head", c.hub.url())).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["size"].as_u64().unwrap(), size_before, "no second record");

    // Replayed after the freshness window: refused as stale.
    let old = key_a.sign(&c.query(CITY_A, &code_a, now() - 3600)).unwrap();
    let (s, v) = c.to_hub(CITY_A, "/v1/query", old).await;
    assert_eq!((s, v["error"]["code"].as_str()), (401, Some("stale_or_replayed")), "{v}");

    // Tampered: the payload changed after signing.
    let parts: Vec<&str> = jws.split('.').collect();
    let mut body: Value = serde_json::from_slice(&base64ct_decode(parts[1])).unwrap();
    body["body"]["task"] = json!("public_housing");
    let forged = format!("{}.{}.{}", parts[0], base64ct_encode(&serde_json::to_vec(&body).unwrap()), parts[2]);
    let (s, v) = c.to_hub(CITY_A, "/v1/query", forged).await;
    assert_eq!((s, v["error"]["code"].as_str()), (401, Some("bad_signature")), "{v}");

    // Unsigned: a plain JSON query, and a JWS with alg none.
    let (s, _) = c.to_hub(CITY_A, "/v1/query", serde_json::to_string(&q).unwrap()).await;
    assert_eq!(s, 400);
    let none = format!("{}.{}.", base64ct_encode(br#"{"alg":"none"}"#), parts[1]);
    let (s, v) = c.to_hub(CITY_A, "/v1/query", none).await;
    assert_eq!((s, v["error"]["code"].as_str()), (401, Some("unsigned")), "{v}");

    // Signed by city A but claiming to be from city B.
    let mut claim = c.query(CITY_B, &code_a, now());
    claim.from = CITY_B.parse().unwrap();
    let (s, v) = c.to_hub(CITY_A, "/v1/query", key_a.sign(&claim).unwrap()).await;
    assert_eq!((s, v["error"]["code"].as_str()), (401, Some("wrong_envelope")), "{v}");
}

fn base64ct_decode(s: &str) -> Vec<u8> {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::decode_vec(s).unwrap()
}

fn base64ct_encode(b: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64UrlUnpadded::encode_string(b)
}

#[tokio::test]
async fn a_node_with_a_certificate_from_another_ca_cannot_connect() {
    let c = Country::start(None).await;
    let stranger_dir = tmpdir("stranger");
    let stranger = identity(&stranger_dir, CITY_A);
    // Trusts our CA for the server, but presents a certificate from its own CA.
    let ca = reqwest::Certificate::from_pem(identity(&c.dir, "hub").ca_pem.as_bytes()).unwrap();
    let id = reqwest::Identity::from_pem(format!("{}\n{}", stranger.cert_pem, stranger.key_pem).as_bytes()).unwrap();
    let client = reqwest::Client::builder().tls_certs_only([ca.clone()]).identity(id).build().unwrap();
    let err = client.get(format!("{}/v1/log/head", c.hub.url())).send().await.unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    // And without any certificate.
    let bare = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
    assert!(bare.get(format!("{}/v1/log/head", c.hub.url())).send().await.is_err());
    // A node of our network connects.
    let ok = identity(&c.dir, CITY_A).client().unwrap();
    assert!(ok.get(format!("{}/v1/log/head", c.hub.url())).send().await.unwrap().status().is_success());
}

#[tokio::test]
async fn a_provider_that_is_down_gives_a_clear_failure_recorded_as_failed() {
    let mut c = Country::start(None).await;
    c.enrol(CITY_A, 0).await;
    c.enrol(CITY_B, 0).await;
    let i = c.agencies.iter().position(|a| a.agency.id.as_str() == CITY_B).unwrap();
    let b = c.agencies.remove(i);
    b.node.shutdown().await;
    let (s, v) = c.ask(CITY_A, 0, "child_allowance", "local_tax", CITY_B).await;
    assert_eq!(s, 502, "{v}");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("could not be reached") && msg.contains("(record "), "{msg}");
    let (_, mine) = c.clerk(CITY_A, reqwest::Method::GET, "/v1/exchanges", Value::Null).await;
    assert_eq!(mine[0]["outcome"], "failed");
    let rows = c.hub_state.store.of_subject("x", 1).await.unwrap();
    assert!(rows.is_empty());
    let (size, _) = head(&c).await;
    let last = c.hub_state.store.entry(size - 1).await.unwrap().unwrap();
    let e: Entry = serde_json::from_str(last.entry.as_deref().unwrap()).unwrap();
    assert_eq!(e.outcome, Outcome::Failed);
}

#[tokio::test]
async fn layout_versions_answer_when_compatible_and_copies_are_checked() {
    let c = Country::start(None).await;
    c.enrol(CITY_A, 0).await;
    c.enrol(CITY_B, 0).await;
    // A copy that does not match its layout is refused with the field and reason.
    let (s, v) =
        c.put_copy(CITY_B, 0, "local_tax", "1.0", json!({"fiscal_year": 2026, "taxable_income": "lots"})).await;
    assert_eq!(s, 422);
    assert!(v["error"]["message"].as_str().unwrap().contains("taxable_income: must be an amount in yen"), "{v}");
    // The provider holds 1.0; a requester reading 1.0 gets it, one reading 2.0 cannot.
    c.put_copy(CITY_B, 0, "local_tax", "1.0", tax(2_000_000)).await;
    let q = |version: &str| json!({"person": "p0", "task": "child_allowance", "item": "local_tax", "provider": CITY_B, "purpose": "x", "version": version});
    let (s, v) = c.clerk(CITY_A, reqwest::Method::POST, "/v1/queries", q("1.0")).await;
    assert_eq!((s, v["version"].as_str()), (200, Some("1.0")), "{v}");
    let (s, v) = c.clerk(CITY_A, reqwest::Method::POST, "/v1/queries", q("2.0")).await;
    assert_eq!(s, 502, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("local_tax 1.0 cannot serve a request for 2.0"), "{v}");
}

/// The hub logs an exchange before it passes the answer on; when it is stopped in between, the
/// provider has answered an exchange the requester never received. The provider's record
/// says so once it has asked the hub for receipts.
#[tokio::test]
async fn an_answer_the_hubs_log_never_received_is_recorded_as_not_delivered() {
    let c = Country::start(None).await;
    c.enrol(CITY_A, 0).await;
    let code_b = c.enrol(CITY_B, 0).await;
    let (s, v) = c.put_copy(CITY_B, 0, "local_tax", "1.1", tax(3_217_946)).await;
    assert_eq!(s, 204, "{v}");
    let (s, v) = c.ask(CITY_A, 0, "child_allowance", "local_tax", CITY_B).await;
    assert_eq!(s, 200, "{v}");
    let index = v["record"].as_u64().unwrap();

    // What the hub forwards for a query, answered by the provider, then the hub "stopped"
    // before logging it: the provider's answer never reached its log.
    let dir: Value = c
        .node_client()
        .get(format!("{}/v1/agencies/{CITY_A}", c.hub.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lost = myna_link::MessageId::random();
    let forward = myna_link::Forward {
        query: lost.clone(),
        requester: CITY_A.parse().unwrap(),
        requester_key: dir["seal_key"].as_str().unwrap().into(),
        task: "child_allowance".parse().unwrap(),
        item: "local_tax".parse().unwrap(),
        version: "1.0".parse().unwrap(),
        code: code_b.parse().unwrap(),
        purpose: "case 2".into(),
    };
    let env = myna_link::Envelope::new("hub".parse().unwrap(), CITY_B.parse().unwrap(), now(), forward);
    let jws = key(&c.dir, "hub").sign(&env).unwrap();
    let res = identity(&c.dir, "hub")
        .client()
        .unwrap()
        .post(format!("{}/v1/provide", c.agency(CITY_B).node.url()))
        .header("content-type", "application/jose")
        .body(jws)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // Only the hub's certificate reaches /v1/provide: another agency's, or none, is refused
    // with what it would need, before the body is read.
    let provide = format!("{}/v1/provide", c.agency(CITY_B).node.url());
    let other = identity(&c.dir, CITY_A).client().unwrap().post(&provide).body("x").send().await.unwrap();
    assert_eq!(other.status(), 403);
    let why: Value = other.json().await.unwrap();
    assert_eq!(why["error"]["code"], "caller_not_allowed", "{why}");
    let ca = reqwest::Certificate::from_pem(identity(&c.dir, "hub").ca_pem.as_bytes()).unwrap();
    let anonymous = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
    let none = anonymous.post(&provide).body("x").send().await.unwrap();
    assert_eq!(none.status(), 401);

    let row = |rows: &Value, id: &str| {
        rows.as_array().unwrap().iter().find(|r| r["message"] == id && r["role"] == "answered").cloned().unwrap()
    };
    let (_, before) = c.clerk(CITY_B, reqwest::Method::GET, "/v1/exchanges", Value::Null).await;
    assert_eq!(row(&before, lost.as_str())["outcome"], "delivered", "the provider first believes it delivered");
    let asked = before.as_array().unwrap().iter().find(|r| r["message"] != lost.as_str()).unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(row(&before, &asked)["record"].is_null(), "not yet confirmed by the hub's log");

    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let settled = c.agency(CITY_B).agency.reconcile(std::time::Duration::ZERO).await.unwrap();
    assert_eq!(settled, 2);
    let (_, after) = c.clerk(CITY_B, reqwest::Method::GET, "/v1/exchanges", Value::Null).await;
    assert_eq!(row(&after, lost.as_str())["outcome"], "not_delivered", "{after}");
    assert_eq!(
        (row(&after, &asked)["outcome"].as_str(), row(&after, &asked)["record"].as_u64()),
        (Some("delivered"), Some(index)),
        "{after}"
    );
    assert_eq!(
        c.agency(CITY_B).agency.reconcile(std::time::Duration::ZERO).await.unwrap(),
        0,
        "settled answers are not asked about again"
    );

    // Another agency cannot learn of the exchange by asking about it.
    let probe = myna_link::ReceiptRequest {
        answers: vec![myna_link::AnsweredQuery { requester: CITY_A.parse().unwrap(), query: asked.parse().unwrap() }],
    };
    let env = myna_link::Envelope::new(PENSION.parse().unwrap(), "hub".parse().unwrap(), now(), probe);
    let (s, v) = c.to_hub(PENSION, "/v1/log/receipts", key(&c.dir, PENSION).sign(&env).unwrap()).await;
    assert_eq!(s, 200, "{v}");
    let trust = myna_link::NetworkTrust::from_ca_pem(&identity(&c.dir, "hub").ca_pem).unwrap();
    let answer: myna_link::Envelope<myna_link::Receipts> =
        myna_link::open_envelope(&trust, v.as_str().unwrap(), &PENSION.parse().unwrap(), now()).unwrap();
    assert_eq!(answer.body.receipts[0].logged, None, "only the exchange's provider is told");
}

/// A portal that is broken into cannot browse the country: the hub answers its
/// self-information and lists records only for a resident signed in to it, within the
/// session's lifetime, with their own card's login.
#[tokio::test]
async fn the_portal_reads_only_for_a_resident_signed_in_to_it() {
    let c = Country::start(None).await;
    c.enrol(CITY_A, 0).await;
    c.put_copy(CITY_A, 0, "local_tax", "1.0", tax(2_000_000)).await;
    let code = c.enrol(PORTAL, 0).await;
    c.enrol(PORTAL, 1).await;
    let key = key(&c.dir, PORTAL);
    let hub: AgencyId = "hub".parse().unwrap();
    let list = |presence: Value| {
        let env = myna_link::Envelope::new(
            PORTAL.parse().unwrap(),
            hub.clone(),
            now(),
            json!({"code": code, "presence": presence}),
        );
        key.sign(&env).unwrap()
    };
    let mine = c.proof(0, PORTAL_SERVICE, now() + 60).await;
    let cases = [
        (json!(c.proof(1, PORTAL_SERVICE, now() + 60).await), "another resident's"),
        (json!(c.proof(0, "https://elsewhere.test", now() + 60).await), "another portal"),
        (json!(c.proof(0, PORTAL_SERVICE, now() - myna_link::PRESENCE_SECS - 5).await), "expired"),
        (
            json!({"challenge": mine.challenge, "certificate": mine.certificate, "signature": c.proof(1, PORTAL_SERVICE, now() + 60).await.signature}),
            "signature",
        ),
    ];
    for (presence, why) in cases {
        let (s, v) = c.to_hub(PORTAL, "/v1/log/person", list(presence)).await;
        assert_eq!(s, 403, "{why}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().contains(why), "{why}: {v}");
    }
    let (s, v) = c.to_hub(PORTAL, "/v1/log/person", list(json!(mine))).await;
    assert_eq!(s, 200, "{v}");

    // A self-information query without the login is refused, and the refusal is recorded
    // where the resident sees it.
    let mut q = c.query(PORTAL, &code, now());
    q.body.task = myna_link::SELF_INFORMATION.parse().unwrap();
    q.body.provider = CITY_A.parse().unwrap();
    let (s, v) = c.to_hub(PORTAL, "/v1/query", key.sign(&q).unwrap()).await;
    assert_eq!(s, 403, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("not signed in"), "{v}");
    q.id = myna_link::MessageId::random();
    q.body.presence = Some(mine.clone());
    let (s, v) = c.to_hub(PORTAL, "/v1/query", key.sign(&q).unwrap()).await;
    assert_eq!(s, 200, "with the login the query is answered: {v}");
}

#[tokio::test]
async fn every_route_of_the_hub_and_an_agency_is_in_its_table_and_walked_three_ways() {
    let c = Country::start(None).await;
    myna_testkit::walk(&c.hub.url(), &myna_linkage::hub::TABLE, &c.dir).await.unwrap();
    myna_testkit::walk(&c.agency(PENSION).node.url(), &myna_linkage::agency::TABLE, &c.dir).await.unwrap();
}

/// Signs in at `agency` with `card` as staff: the answer's status and body.
async fn staff_login(c: &Country, agency: &str, card: &myna_testkit::card::TestCard) -> (u16, Value) {
    let url = c.agency(agency).node.url();
    let ch: Value = c.client.post(format!("{url}/v1/staff/challenge")).send().await.unwrap().json().await.unwrap();
    let challenge = ch["challenge"].as_str().unwrap();
    let body = json!({"challenge": challenge, "certificate": card.cert, "signature": card.sign(challenge)});
    let res = c.client.post(format!("{url}/v1/staff/login")).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn a_clerk_signs_in_with_a_staff_card_and_the_record_names_them() {
    let c = Country::start(None).await;
    c.enrol(CITY_A, 0).await;
    c.enrol(CITY_B, 0).await;
    c.put_copy(CITY_B, 0, "local_tax", "1.1", tax(2_000_000)).await;
    let card = c.card(1).await;
    let der = base64ct::Base64::decode_vec(&card.cert).unwrap();
    let serial = myna_pki::CardCert::parse(&der).unwrap().serial.value();

    // A card no administrator bound to an account: refused, saying what to ask for.
    let (s, v) = staff_login(&c, CITY_A, &card).await;
    assert_eq!(s, 403, "{v}");
    assert_eq!(v["error"]["code"], "not_staff");
    assert!(v["error"]["message"].as_str().unwrap().contains(&format!("{serial:X}")), "{v}");

    let staff =
        myna_rp::staff::Staff { account: "suzuki.i".into(), name: "鈴木 一郎".into(), role: "clerk".into() };
    c.agency(CITY_A).agency.staff.directory.add(&staff, serial, 0).await.unwrap();
    let (s, v) = staff_login(&c, CITY_A, &card).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["staff"]["name"], "鈴木 一郎");
    let session = v["session"].as_str().unwrap().to_string();
    // Bound at 千代田区, not elsewhere.
    assert_eq!(staff_login(&c, CITY_B, &card).await.0, 403);

    let url = c.agency(CITY_A).node.url();
    let q = json!({"person": "p0", "task": "child_allowance", "item": "local_tax", "provider": CITY_B, "purpose": "R8-0042"});
    let res = c.client.post(format!("{url}/v1/queries")).bearer_auth(&session).json(&q).send().await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let mine: Value =
        c.client.get(format!("{url}/v1/exchanges")).bearer_auth(&session).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine[0]["staff"], "suzuki.i", "the agency's record names the clerk who asked: {mine}");

    // No session, a made-up one, or the session of a removed account: 401.
    let none = c.client.post(format!("{url}/v1/queries")).json(&q).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(c.agency(CITY_A).agency.staff.directory.remove("suzuki.i").await.unwrap());
    let gone = c.client.post(format!("{url}/v1/queries")).bearer_auth(&session).json(&q).send().await.unwrap();
    assert_eq!(gone.status(), 401, "a removed account's session ends at once");
}
