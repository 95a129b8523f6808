//! A small country for linkage tests: J-LIS, the hub and agency nodes, each with its own
//! database and certificate, talking HTTPS with mutual TLS on loopback.
#![allow(dead_code)]

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use myna_jlis::store::RegistryStore;
use myna_link::{AgencyId, Envelope, NodeKey, Query};
use myna_linkage::{
    agency::{self, AgencyConfig, Started},
    hub::{self, Hub},
};
use myna_node::{NodeIdentity, RunningNode};
use myna_store::Db;
use serde_json::{Value, json};

pub const CITY_A: &str = "municipality:131016";
pub const CITY_B: &str = "municipality:271004";
pub const PENSION: &str = "pension_service";
pub const PORTAL: &str = "portal";
/// The portal's origin, named in its residents' login challenges.
pub const PORTAL_SERVICE: &str = "https://portal.test";

/// The residents every test country registers, in order (name, reading).
pub const NAMES: [(&str, &str); 2] = [("山田 花子", "ヤマダ ハナコ"), ("鈴木 一郎", "スズキ イチロウ")];

pub struct Country {
    pub dir: PathBuf,
    pub jlis: RunningNode,
    pub hub: RunningNode,
    pub hub_state: Arc<Hub>,
    pub hub_db: String,
    pub agencies: Vec<Started>,
    pub client: reqwest::Client,
    /// Individual numbers of the residents, in order.
    pub numbers: Vec<String>,
    /// Their resident record codes.
    pub codes: Vec<String>,
    cards: std::sync::Mutex<std::collections::HashMap<usize, Arc<myna_testkit::card::TestCard>>>,
}

pub fn any() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

pub fn identity(dir: &std::path::Path, name: &str) -> NodeIdentity {
    NodeIdentity::load_or_create(dir, name, &[]).unwrap()
}

pub fn key(dir: &std::path::Path, name: &str) -> NodeKey {
    let id = identity(dir, name);
    NodeKey::from_pem(&id.cert_pem, &id.key_pem).unwrap()
}

pub fn tmpdir(tag: &str) -> PathBuf {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let d = std::env::temp_dir().join(format!("myna-link-{tag}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

pub async fn start_agency(dir: &std::path::Path, name: &str, hub: &str, jlis: &str) -> Started {
    let db = Db::open(&myna_testkit::sqlite_url()).await.unwrap();
    let login_service = (name == PORTAL).then(|| PORTAL_SERVICE.to_string());
    let config = AgencyConfig { name: name.into(), hub_url: hub.into(), jlis_url: jlis.into(), login_service };
    agency::start(db, &identity(dir, name), any(), config).await.unwrap()
}

impl Country {
    pub async fn start(hub_db: Option<String>) -> Self {
        let dir = tmpdir("country");
        let hub_db = hub_db.unwrap_or_else(myna_testkit::sqlite_url);
        let (hub, hub_state) =
            hub::start(Db::open(&hub_db).await.unwrap(), &identity(&dir, "hub"), any()).await.unwrap();
        let store =
            RegistryStore::open(Db::open(&myna_testkit::sqlite_url()).await.unwrap(), || [7; 32]).await.unwrap();
        let jlis = myna_jlis::start_with_hub(store, &identity(&dir, "jlis"), any(), Some(&hub.url())).await.unwrap();
        // The hub checks residents' login proofs at J-LIS.
        let _ = hub_state.jlis.set(jlis.url());
        let mut agencies = Vec::new();
        for name in [CITY_A, CITY_B, PENSION, PORTAL] {
            agencies.push(start_agency(&dir, name, &hub.url(), &jlis.url()).await);
        }
        // 千代田区's clerk system: J-LIS's registry answers only a municipality.
        let client = identity(&dir, "municipality:131016").client().unwrap();
        let mut c = Country {
            dir,
            jlis,
            hub,
            hub_state,
            hub_db,
            agencies,
            client,
            numbers: Vec::new(),
            codes: Vec::new(),
            cards: Default::default(),
        };
        for (i, (name, kana)) in NAMES.into_iter().enumerate() {
            let birth = json!({"kind": "birth", "on": "2020-04-01", "name": name, "kana": kana, "sex": "female",
                "address": "東京都千代田区千代田1-1"});
            let res = c
                .client
                .post(format!("{}/v1/events", c.jlis.url()))
                .header("idempotency-key", format!("birth-{i}"))
                .json(&birth)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
            let v: Value = res.json().await.unwrap();
            c.numbers.push(v["resident"]["number"].as_str().unwrap().replace(' ', ""));
            c.codes.push(v["resident"]["code"].as_str().unwrap().to_string());
        }
        c
    }

    /// Resident `i`'s login at `service`, as the portal forwards it: signed by their card
    /// (issued by J-LIS on first use) over a challenge that expires at `expires`.
    pub async fn proof(&self, i: usize, service: &str, expires: i64) -> myna_link::LoginProof {
        let card = self.card(i).await;
        let (challenge, certificate, signature) = card.login(service, expires);
        myna_link::LoginProof { challenge, certificate, signature }
    }

    /// Resident `i`'s card, issued by J-LIS on first use.
    pub async fn card(&self, i: usize) -> Arc<myna_testkit::card::TestCard> {
        let held = self.cards.lock().unwrap().get(&i).cloned();
        match held {
            Some(c) => c,
            None => {
                let c = Arc::new(myna_testkit::card::issue(&self.client, &self.jlis.url(), &self.codes[i]).await);
                self.cards.lock().unwrap().insert(i, c.clone());
                c
            }
        }
    }

    /// A client of a node of the network (the hub asks for a certificate).
    pub fn node_client(&self) -> reqwest::Client {
        identity(&self.dir, PORTAL).client().unwrap()
    }

    pub fn agency(&self, name: &str) -> &Started {
        self.agencies.iter().find(|a| a.agency.id.as_str() == name).unwrap()
    }

    /// A clerk's call to an agency's API.
    pub async fn clerk(&self, name: &str, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let a = self.agency(name);
        let res = self
            .client
            .request(method, format!("{}{path}", a.node.url()))
            .bearer_auth(&a.clerk_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Resident `i`'s number with their 4 items, as the register has them.
    pub fn items(&self, i: usize) -> myna_link::LinkItems {
        myna_link::LinkItems {
            number: self.numbers[i].clone(),
            name: NAMES[i].0.into(),
            birth: "2020-04-01".into(),
            sex: Some("female".into()),
            address: "東京都千代田区千代田1-1".into(),
        }
    }

    /// Enrols resident `i` at `agency` as person `p<i>`.
    pub async fn enrol(&self, agency: &str, i: usize) -> String {
        let (s, v) = self
            .clerk(agency, reqwest::Method::POST, "/v1/people", {
                let mut body = serde_json::to_value(self.items(i)).unwrap();
                body["person"] = json!(format!("p{i}"));
                body
            })
            .await;
        assert_eq!(s, 200, "{v}");
        v["code"].as_str().unwrap().to_string()
    }

    pub async fn put_copy(&self, agency: &str, i: usize, item: &str, version: &str, data: Value) -> (u16, Value) {
        self.clerk(
            agency,
            reqwest::Method::PUT,
            &format!("/v1/people/p{i}/copies/{item}"),
            json!({"version": version, "data": data}),
        )
        .await
    }

    pub async fn ask(&self, agency: &str, i: usize, task: &str, item: &str, provider: &str) -> (u16, Value) {
        let q = json!({"person": format!("p{i}"), "task": task, "item": item, "provider": provider, "purpose": "令和8年度 第123号"});
        self.clerk(agency, reqwest::Method::POST, "/v1/queries", q).await
    }

    /// Sends a signed body to the hub as `signer` would, with a client certificate.
    pub async fn to_hub(&self, signer: &str, path: &str, jws: String) -> (u16, Value) {
        self.to_node(&self.hub.url(), signer, path, jws).await
    }

    /// Sends a signed body to the node at `url` as `signer` would, with a client certificate.
    pub async fn to_node(&self, url: &str, signer: &str, path: &str, jws: String) -> (u16, Value) {
        let client = identity(&self.dir, signer).client().unwrap();
        let res = client
            .post(format!("{url}{path}"))
            .header("content-type", "application/jose")
            .body(jws)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub fn query(&self, from: &str, code: &str, at: i64) -> Envelope<Query> {
        let q = Query {
            presence: None,
            task: "child_allowance".parse().unwrap(),
            item: "local_tax".parse().unwrap(),
            version: "1.0".parse().unwrap(),
            provider: CITY_B.parse().unwrap(),
            code: code.parse().unwrap(),
            purpose: "case 1".into(),
        };
        Envelope::new(from.parse::<AgencyId>().unwrap(), "hub".parse().unwrap(), at, q)
    }
}

pub fn tax(income: u64) -> Value {
    json!({"fiscal_year": 2026, "taxable_income": income, "tax_amount": income / 10, "non_taxable": false})
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}
