//! Health insurance by card with real nodes: J-LIS issues cards, an insurer and a city push
//! through the hub, the health node answers facilities. Each refusal a facility or an
//! attacker can meet is here, with the answer a person would read.

use std::{net::SocketAddr, path::PathBuf};

use base64ct::{Base64, Encoding};
use myna_jlis::store::RegistryStore;
use myna_linkage::{
    agency::{self, AgencyConfig, Started},
    hub,
};
use myna_node::{NodeIdentity, RunningNode};
use myna_pki::{CardCert, login::Challenge, softcard::UnlockedKey};
use myna_store::Db;
use reqwest::Client;
use serde_json::{Value, json};

const INSURER: &str = "health_insurer:01130012";
const CITY: &str = "municipality:131016";

fn any() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

fn identity(dir: &std::path::Path, name: &str) -> NodeIdentity {
    NodeIdentity::load_or_create(dir, name, &[]).unwrap()
}

struct Patient {
    number: String,
    /// The 4 items as the register has them (what an insurer links the number by).
    items: Value,
    card: String,
    key: UnlockedKey,
    cert: String,
}

struct Country {
    _dir: PathBuf,
    _hub: RunningNode,
    jlis: RunningNode,
    agencies: Vec<Started>,
    health: myna_healthnode::Started,
    client: Client,
    facility: String,
    other_facility: String,
    patients: Vec<Patient>,
}

async fn post(client: &Client, url: String, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut r = client.post(url).json(&body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let res = r.send().await.unwrap();
    let s = res.status().as_u16();
    let text = res.text().await.unwrap();
    (s, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

impl Country {
    async fn start(health_db: &str) -> Self {
        let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("myna-health-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (hub, _) = hub::start(Db::open(&myna_testkit::sqlite_url()).await.unwrap(), &identity(&dir, "hub"), any())
            .await
            .unwrap();
        let store =
            RegistryStore::open(Db::open(&myna_testkit::sqlite_url()).await.unwrap(), || [7; 32]).await.unwrap();
        let jlis = myna_jlis::start_with_hub(store, &identity(&dir, "jlis"), any(), Some(&hub.url())).await.unwrap();
        let mut agencies = Vec::new();
        for name in [INSURER, CITY] {
            let config =
                AgencyConfig { name: name.into(), hub_url: hub.url(), jlis_url: jlis.url(), login_service: None };
            agencies.push(
                agency::start(
                    Db::open(&myna_testkit::sqlite_url()).await.unwrap(),
                    &identity(&dir, name),
                    any(),
                    config,
                )
                .await
                .unwrap(),
            );
        }
        let config =
            myna_healthnode::HealthConfig { jlis_url: jlis.url(), hub_url: hub.url(), cards: None, staff_cards: None };
        let health =
            myna_healthnode::start(Db::open(health_db).await.unwrap(), &identity(&dir, "health"), any(), any(), config)
                .await
                .unwrap();
        // 千代田区's clerk system: J-LIS's registry and card counter answer only a municipality.
        let client = identity(&dir, "municipality:131016").client().unwrap();
        let mut c = Country {
            _dir: dir,
            _hub: hub,
            jlis,
            agencies,
            health,
            client,
            facility: String::new(),
            other_facility: String::new(),
            patients: Vec::new(),
        };
        c.facility = c.add_facility("1312345678", "オン資格クリニック").await;
        c.other_facility = c.add_facility("1342345678", "オン資格薬局").await;
        for (name, kana, birth) in
            [("資格 太郎", "シカク タロウ", "1980-01-16"), ("資格 花子", "シカク ハナコ", "2000-05-05")]
        {
            c.patients.push(c.resident(name, kana, birth).await);
        }
        c
    }

    async fn add_facility(&self, code: &str, name: &str) -> String {
        let (s, v) = post(
            &self.client,
            format!("{}/v1/facilities", self.health.api.url()),
            Some(&self.health.operator_token),
            json!({"code": code, "name": name}),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        format!("{code}:{}", v["key"].as_str().unwrap())
    }

    async fn resident(&self, name: &str, kana: &str, birth: &str) -> Patient {
        let j = self.jlis.url();
        let res = self.client.post(format!("{j}/v1/events")).header("idempotency-key", hex::encode(name)).json(&json!({"kind": "first_registration", "on": birth.max("2020-04-01"), "name": name, "kana": kana, "birth": birth, "sex": "male", "address": "東京都千代田区霞が関二丁目1番地2号"})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 201, "{:?}", res.headers());
        let r: Value = res.json().await.unwrap();
        let code = r["resident"]["code"].as_str().unwrap().to_string();
        let number = r["resident"]["number"].as_str().unwrap().replace(' ', "");
        let card = myna_testkit::card::issue(&self.client, j.as_str(), &code).await;
        let items =
            json!({"name": name, "birth": birth, "sex": "male", "address": "東京都千代田区霞が関二丁目1番地2号"});
        Patient { number, items, card: card.number, key: card.key, cert: card.cert }
    }

    fn agency(&self, id: &str) -> &Started {
        self.agencies.iter().find(|a| a.agency.id.as_str() == id).unwrap()
    }

    async fn clerk(&self, id: &str, path: &str, body: Value) -> (u16, Value) {
        let a = self.agency(id);
        post(&self.client, format!("{}{path}", a.node.url()), Some(&a.clerk_token), body).await
    }

    /// The insurer enrols patient `i` (by number and 4 items, at its own node) and pushes a record.
    async fn push_eligibility(&self, from: &str, i: usize, record: Value) -> (u16, Value) {
        let mut body = self.patients[i].items.clone();
        body["person"] = json!(format!("m{i}"));
        body["number"] = json!(self.patients[i].number);
        let (s, v) = self.clerk(from, "/v1/people", body).await;
        assert_eq!(s, 200, "{v}");
        self.clerk(
            from,
            "/v1/pushes",
            json!({"person": format!("m{i}"), "to": "health", "kind": "eligibility", "data": record}),
        )
        .await
    }

    async fn challenge(&self, facility: &str) -> String {
        let (s, v) = post(
            &self.client,
            format!("{}/v1/reception/challenge", self.health.api.url()),
            Some(facility),
            Value::Null,
        )
        .await;
        assert_eq!(s, 200, "{v}");
        v["challenge"].as_str().unwrap().to_string()
    }

    fn signed(&self, i: usize, challenge: &str, consent: Value) -> Value {
        let p = &self.patients[i];
        let sig = p.key.sign_digest(&Challenge::parse(challenge).unwrap().digest()).unwrap();
        json!({"challenge": challenge, "certificate": p.cert, "signature": Base64::encode_string(&sig), "method": "pin", "consent": consent})
    }

    async fn reception(&self, facility: &str, body: Value) -> (u16, Value) {
        post(&self.client, format!("{}/v1/reception", self.health.api.url()), Some(facility), body).await
    }

    async fn get(&self, facility: &str, path: &str) -> (u16, Value) {
        let res =
            self.client.get(format!("{}{path}", self.health.api.url())).bearer_auth(facility).send().await.unwrap();
        let s = res.status().as_u16();
        (s, res.json().await.unwrap_or(Value::Null))
    }
}

fn record(insurer: &str, number: &str, birth: &str, from: &str, to: Option<&str>) -> Value {
    json!({"insurer": insurer, "symbol": "1234", "number": number, "branch": "00", "name": "資格 太郎", "kana": "シカク タロウ", "birth": birth,
        "copay_percent": 30, "limit": "ウ", "valid_from": from, "valid_to": to})
}

fn msg(v: &Value) -> String {
    v["error"]["message"].as_str().unwrap_or_default().to_string()
}

/// On SQLite and, when configured, PostgreSQL.
#[tokio::test]
async fn a_registered_card_confirms_eligibility_and_opens_only_what_was_consented() {
    for db in myna_testkit::fresh_urls().await {
        registered_card_flow(&db).await;
    }
}

async fn registered_card_flow(db: &str) {
    let c = Country::start(db).await;
    let (s, v) = c.push_eligibility(INSURER, 0, record("01130012", "5678", "1980-01-16", "2020-04-01", None)).await;
    assert_eq!(s, 200, "{v}");
    // The claims of a month: medication, a checkup and an expense, matched by card fields.
    let claims = "MED,01130012,1234,5678,00,2025-09-29,オン資格薬局,オン資格クリニック,内服,向) マイスリー錠5mg,1日1回朝食後服用,1錠,30,316,212\n\
                  CHK,01130012,1234,5678,00,2025-07-04,XXXXXクリニック,systolic=150;hdl=75;hba1c=5.4\n\
                  EXP,01130012,1234,5678,00,2025-09,オン資格薬局,調剤,1,10530,3160\n\
                  EXP,01130012,9999,1,00,2025-09,どこか,外来,1,100,30\n";
    let res = c
        .client
        .post(format!("{}/v1/claims", c.health.api.url()))
        .bearer_auth(&c.health.operator_token)
        .body(claims)
        .send()
        .await
        .unwrap();
    let loaded: Value = res.json().await.unwrap();
    assert_eq!((loaded["added"].as_u64(), loaded["unmatched"][0].as_u64()), (Some(3), Some(4)), "{loaded}");
    let again = c
        .client
        .post(format!("{}/v1/claims", c.health.api.url()))
        .bearer_auth(&c.health.operator_token)
        .body(claims)
        .send()
        .await
        .unwrap();
    assert_eq!(again.json::<Value>().await.unwrap()["added"], 0, "loading the same file again adds nothing");
    // A malformed file is refused whole, each bad line named; nothing of it is stored.
    let bad = format!(
        "{claims}MED,01130012,1234,5678,00,2025-13-01,x,y,内服,z,u,1錠,30,,\nCHK,01130012,1234,5678,00,2025-07-04,c,sugar=1\n"
    );
    let res = c
        .client
        .post(format!("{}/v1/claims", c.health.api.url()))
        .bearer_auth(&c.health.operator_token)
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let why = res.text().await.unwrap();
    assert!(
        why.contains("line 5")
            && why.contains("line 6")
            && why.contains("unknown checkup item")
            && why.contains("nothing was loaded"),
        "{why}"
    );
    let res = c
        .client
        .post(format!("{}/v1/claims", c.health.api.url()))
        .bearer_auth(&c.facility)
        .body(claims)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 401, "a facility's key is not the operator's");
    // An unauthenticated upload announcing 250 MB is refused at its headers: the answer
    // comes back before a byte of the body is sent, so the node buffered nothing.
    let head = unauthenticated_upload_head(&identity(&c._dir, "hub").ca_pem, c.health.api.addr.port()).await;
    assert!(head.starts_with("HTTP/1.1 401"), "refused before the body: {head}");

    // Not yet registered for insurance use: refused, with what to do.
    let ch = c.challenge(&c.facility).await;
    let (s, v) = c.reception(&c.facility, c.signed(0, &ch, json!({"medication": true}))).await;
    assert_eq!(s, 404, "{v}");
    assert!(msg(&v).contains("利用登録"), "{v}");
    // Registered at the reader, with consent to medication only.
    let ch = c.challenge(&c.facility).await;
    let mut body = c.signed(0, &ch, json!({"medication": true}));
    body["register"] = json!(true);
    let (s, v) = c.reception(&c.facility, body.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["outcome"], "confirmed");
    assert_eq!(
        (v["eligibility"]["insurer"].as_str(), v["eligibility"]["copay_percent"].as_u64()),
        (Some("01130012"), Some(30))
    );
    assert!(v["eligibility"].get("limit").is_none(), "the limit only with consent: {v}");
    assert_eq!(v["consented"], json!(["medication"]));
    let id = v["reception"].as_str().unwrap().to_string();

    // The same signature again: a replay, refused.
    let (s, v) = c.reception(&c.facility, body).await;
    assert_eq!(s, 409, "{v}");
    assert!(msg(&v).contains("already used"), "{v}");

    // Consented medication opens; checkups were not consented; another facility gets nothing.
    let (s, v) = c.get(&c.facility, &format!("/v1/receptions/{id}/medication")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["items"][0]["drug"], "向) マイスリー錠5mg");
    let (s, v) = c.get(&c.facility, &format!("/v1/receptions/{id}/checkups")).await;
    assert_eq!(s, 403, "{v}");
    assert!(msg(&v).contains("did not consent"), "{v}");
    let (s, _) = c.get(&c.other_facility, &format!("/v1/receptions/{id}/medication")).await;
    assert_eq!(s, 403);

    // Consent refused: eligibility only, and the refusal logged.
    let ch = c.challenge(&c.facility).await;
    let (s, v) = c.reception(&c.facility, c.signed(0, &ch, json!({}))).await;
    assert_eq!((s, v["consented"].clone()), (200, json!([])), "{v}");
    let id2 = v["reception"].as_str().unwrap().to_string();
    assert_eq!(c.get(&c.facility, &format!("/v1/receptions/{id2}/medication")).await.0, 403);

    // The resident's view (what the portal reads through the hub) lists both checks.
    let code = c
        .health
        .health
        .store
        .by_serial(&CardCert::parse(&Base64::decode_vec(&c.patients[0].cert).unwrap()).unwrap().serial.to_string())
        .await
        .unwrap()
        .unwrap()
        .0;
    let view = c.health.health.medical_information(&code, myna_node::today_jst()).await.unwrap().unwrap();
    let checks = view["checks"].as_array().unwrap();
    // The attempt before registration named no one, so only the two after it are the resident's.
    assert_eq!(checks.len(), 2, "consented, refused: {view}");
    assert_eq!((checks[0]["consented"].as_str(), checks[1]["consented"].as_str()), (Some(""), Some("medication")));
    assert!(checks[1]["facility"].as_str().unwrap().contains("オン資格クリニック"));
    assert_eq!(view["medication"][0]["generic_saving"], 212);
    assert_eq!(view["checkups"][0]["values"][0]["item"], "systolic");
    // The individual number is nowhere in the health node's database.
    let db = c.health.health.store.db().clone();
    let rows: Vec<String> = sqlx_rows(&db).await;
    assert!(rows.iter().all(|r| !r.contains(&c.patients[0].number)), "no individual number stored");
    let _ = &c.patients[0].card;
}

async fn sqlx_rows(db: &Db) -> Vec<String> {
    let mut out = Vec::new();
    for t in ["health_eligibility", "health_cards", "health_checks", "health_records"] {
        let rows = sqlx::query(&format!("SELECT * FROM {t}")).fetch_all(&db.pool).await.unwrap();
        for r in rows {
            use sqlx::Row;
            for i in 0..r.len() {
                if let Ok(s) = r.try_get::<String, _>(i) {
                    out.push(s);
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn ended_not_started_changed_insurer_revoked_card_and_strangers_get_clear_answers() {
    let c = Country::start(&myna_testkit::sqlite_url()).await;
    // An unregistered facility, and a wrong key for a registered one.
    let (s, v) =
        post(&c.client, format!("{}/v1/reception/challenge", c.health.api.url()), Some("1312345679:00"), Value::Null)
            .await;
    assert_eq!(s, 401, "{v}");
    assert!(msg(&v).contains("not registered"), "{v}");
    // A city may not register members of another insurer, and a malformed record is refused with its field.
    let (s, v) = c.push_eligibility(CITY, 1, record("01130012", "1", "2000-05-05", "2024-04-01", None)).await;
    assert_eq!(s, 502, "{v}");
    assert!(msg(&v).contains("may not register members"), "{v}");
    let (s, v) = c.push_eligibility(INSURER, 1, json!({"insurer": "01130012", "number": "1"})).await;
    assert!(s >= 400 && msg(&v).contains("missing field"), "{s} {v}");

    // Patient 1: the employer's insurance ended in March 2024.
    let (s, v) =
        c.push_eligibility(INSURER, 1, record("01130012", "77", "2000-05-05", "2022-04-01", Some("2024-03-31"))).await;
    assert_eq!(s, 200, "{v}");
    let ch = c.challenge(&c.facility).await;
    let mut body = c.signed(1, &ch, json!({"checkups": true, "medication": true, "limit": true}));
    body["register"] = json!(true);
    let (s, v) = c.reception(&c.facility, body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["outcome"].as_str(), v["standing"]["standing"].as_str()),
        (Some("not_current"), Some("ended")),
        "{v}"
    );
    assert!(v["explain_ja"].as_str().unwrap().contains("2024-03-31"), "the answer says when it ended: {v}");
    assert_eq!(v["consented"], json!([]), "nothing is shared without current eligibility");
    // The city's national insurance starts in ten days: not yet started, and from when.
    let later = myna_node::today_jst().saturating_add(time::Duration::days(10)).to_string();
    let (s, v) = c.push_eligibility(CITY, 1, record("138016", "88", "2000-05-05", &later, None)).await;
    assert_eq!(s, 200, "{v}");
    let ch = c.challenge(&c.facility).await;
    let (s, v) = c.reception(&c.facility, c.signed(1, &ch, json!({}))).await;
    assert_eq!((s, v["standing"]["standing"].as_str()), (200, Some("not_yet_started")), "{v}");
    assert!(v["explain_ja"].as_str().unwrap().contains(&later), "{v}");
    // Patient 0 changes insurer: the old record ends the day before the new one starts.
    c.push_eligibility(INSURER, 0, record("01130012", "5678", "1980-01-16", "2020-04-01", None)).await;
    let (s, v) = c.push_eligibility(CITY, 0, record("138016", "55", "1980-01-16", &later, None)).await;
    assert_eq!(s, 200, "{v}");
    let old_card = json!({"insurer": "01130012", "symbol": "1234", "number": "5678", "branch": "00", "on": later});
    let (s, v) =
        post(&c.client, format!("{}/v1/eligibility/lookup", c.health.api.url()), Some(&c.facility), old_card).await;
    assert_eq!((s, v["standing"]["standing"].as_str()), (200, Some("ended")), "{v}");
    let (_, v) = post(
        &c.client,
        format!("{}/v1/eligibility/lookup", c.health.api.url()),
        Some(&c.facility),
        json!({"insurer": "01130012", "symbol": "1234", "number": "5678", "branch": "00"}),
    )
    .await;
    assert_eq!(v["standing"]["standing"], "current", "still covered today: {v}");
    // Batch: one good, one unknown, one malformed — each answered on its own.
    let (s, v) = post(
        &c.client,
        format!("{}/v1/eligibility/batch", c.health.api.url()),
        Some(&c.facility),
        json!({"patients": [
        {"insurer": "138016", "symbol": "1234", "number": "88", "branch": "00", "on": later},
        {"insurer": "01130012", "symbol": "1234", "number": "99", "branch": "00"},
        {"insurer": "01130013", "symbol": "1234", "number": "99", "branch": "00"}]}),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let r = v["results"].as_array().unwrap();
    assert_eq!(r[0]["standing"]["standing"], "current");
    assert_eq!(r[1]["found"], false);
    assert!(r[2]["reason"].as_str().unwrap().contains("check digit"), "{v}");

    // Under 40, checkups are not offered even when the reader says yes.
    c.push_eligibility(CITY, 1, record("138016", "88", "2000-05-05", "2024-01-01", None)).await;
    let ch = c.challenge(&c.facility).await;
    let (s, v) = c.reception(&c.facility, c.signed(1, &ch, json!({"checkups": true, "medication": true}))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["consented"].clone(), v["not_offered"].clone()), (json!(["medication"]), json!(["checkups"])), "{v}");

    // A challenge from one facility cannot be used at another.
    let ch = c.challenge(&c.other_facility).await;
    let (s, v) = c.reception(&c.facility, c.signed(1, &ch, json!({}))).await;
    assert_eq!(s, 401, "{v}");
    assert!(msg(&v).contains("not this facility"), "{v}");

    // The card is suspended at J-LIS: once the CRL is refreshed, the card is refused.
    let (s, v) =
        post(&c.client, format!("{}/v1/cards/{}/suspend", c.jlis.url(), c.patients[1].card), None, Value::Null).await;
    assert_eq!(s, 200, "{v}");
    c.health.health.refresh_crl().await.unwrap();
    let ch = c.challenge(&c.facility).await;
    let (s, v) = c.reception(&c.facility, c.signed(1, &ch, json!({}))).await;
    assert_eq!(s, 403, "{v}");
    assert!(msg(&v).contains("revoked"), "{v}");
    // A tampered signature.
    let ch = c.challenge(&c.facility).await;
    let mut body = c.signed(0, &ch, json!({}));
    body["signature"] = json!(Base64::encode_string(&[7u8; 256]));
    let (s, v) = c.reception(&c.facility, body).await;
    assert_eq!(s, 401, "{v}");
}

#[tokio::test]
async fn a_child_due_a_vaccination_gets_one_notice_per_dose_in_the_portal() {
    let c = Country::start(&myna_testkit::sqlite_url()).await;
    let portal_db = Db::open(&myna_testkit::sqlite_url()).await.unwrap();
    let config = myna_portal::PortalConfig {
        jlis_url: c.jlis.url(),
        hub_url: c._hub.url(),
        public_url: "https://localhost:1".into(),
        cards: None,
    };
    let portal =
        myna_portal::start(portal_db.clone(), &identity(&c._dir, "portal"), any(), any(), config).await.unwrap();
    // A child of 13 months, insured by the city's national health insurance; MR given once.
    let birth = myna_node::today_jst().saturating_sub(time::Duration::days(400)).to_string();
    let child = c.resident("資格 一郎", "シカク イチロウ", &birth).await;
    let mut c = c;
    c.patients.push(child);
    let (s, v) = c.push_eligibility(CITY, 2, record("138016", "99", &birth, &birth, None)).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = c.clerk(CITY, "/v1/pushes", json!({"person": "m2", "to": "health", "kind": "pmh", "data": {"type": "vaccination", "vaccine": "mr", "dose": 1, "on": myna_node::today_jst().to_string(), "place": "千代田区こども診療所"}})).await;
    assert_eq!(s, 200, "{v}");
    let run =
        || post(&c.client, format!("{}/v1/reminders", c.health.api.url()), Some(&c.health.operator_token), Value::Null);
    let (s, v) = run().await;
    assert_eq!(s, 200, "{v}");
    assert!(v["sent"].as_u64().unwrap() >= 3, "Hib, PCV, 五種混合, varicella …: {v}");
    let (_, again) = run().await;
    assert_eq!(again["sent"], 0, "each dose is reminded once");
    let titles: Vec<String> =
        sqlx::query_scalar("SELECT title FROM portal_notices").fetch_all(&portal_db.pool).await.unwrap();
    assert_eq!(titles.len() as u64, v["sent"].as_u64().unwrap());
    assert!(
        titles.iter().any(|t| t.contains("麻しん風しん（MR） 第2回")),
        "MR dose 2, since dose 1 is recorded: {titles:?}"
    );
    assert!(!titles.iter().any(|t| t.contains("BCG")), "BCG is past its window at 13 months: {titles:?}");
    portal.web.shutdown().await;
}

/// Sends `POST /v1/claims` headers with `Content-Length: 250000000` and no body nor token,
/// and returns what the node answers within 5 s.
async fn unauthenticated_upload_head(ca_pem: &str, port: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls;
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::pem::PemObject::pem_slice_iter(ca_pem.as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut cfg = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut s = tokio_rustls::TlsConnector::from(std::sync::Arc::new(cfg)).connect(name, tcp).await.unwrap();
    s.write_all(
        b"POST /v1/claims HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/csv\r\nContent-Length: 250000000\r\n\r\n",
    )
    .await
    .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut buf))
        .await
        .expect("no answer before the body")
        .unwrap();
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[tokio::test]
async fn every_route_of_the_facility_server_is_in_its_table_and_none_answers_without_its_credential() {
    let c = Country::start(&myna_testkit::sqlite_url()).await;
    myna_testkit::walk(&c.health.api.url(), &myna_healthnode::access::TABLE, &c._dir).await.unwrap();
    // The portal's web server and API, in the same country.
    let config = myna_portal::PortalConfig {
        jlis_url: c.jlis.url(),
        hub_url: c._hub.url(),
        public_url: "https://localhost:1".into(),
        cards: None,
    };
    let db = Db::open(&myna_testkit::sqlite_url()).await.unwrap();
    let portal = myna_portal::start(db, &identity(&c._dir, "portal"), any(), any(), config).await.unwrap();
    myna_testkit::walk(&portal.web.url(), &myna_portal::access::TABLE, &c._dir).await.unwrap();
}
