//! Tests only: the small linkage network the service crates' tests stand on — a hub, J-LIS
//! wired to it, a clerk of 千代田区 who records births and issues cards, and a portal inbox
//! that keeps the notices it is told. Every node is real (mutual TLS on loopback, SQLite
//! files); this crate only saves each test the same forty lines of set-up.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
};

use myna_jlis::store::RegistryStore;
use myna_link::NoticeText;
use myna_linkage::agency::{self, Agency, AgencyConfig};
use myna_node::{NodeIdentity, RunningNode};
use myna_store::Db;
use myna_testkit::card::TestCard;
use serde_json::{Value, json};

/// Any free loopback port.
pub fn any() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A fresh SQLite database.
pub async fn db() -> Db {
    Db::open(&myna_testkit::sqlite_url()).await.unwrap()
}

/// A resident born in the test: the number, J-LIS's code and the card.
pub struct Person {
    pub number: String,
    pub code: String,
    pub household: u64,
    pub card: TestCard,
    pub name: String,
}

/// Where [`TestNet::born`] registers everyone, and when.
pub const ADDRESS: &str = "東京都千代田区千代田1-1";
pub const BIRTH: &str = "1990-04-01";

impl Person {
    /// The number with the 4 items as the register has them: what an agency links by.
    pub fn items(&self) -> myna_link::LinkItems {
        myna_link::LinkItems {
            number: self.number.clone(),
            name: self.name.clone(),
            birth: BIRTH.into(),
            sex: Some("female".into()),
            address: ADDRESS.into(),
        }
    }
}

/// Notices the portal was told, each with the portal's code of the resident.
pub type Inbox = Arc<Mutex<Vec<(String, NoticeText)>>>;

pub struct TestNet {
    pub dir: PathBuf,
    pub hub: RunningNode,
    /// The hub itself, to read its log in a test.
    pub hub_state: Arc<myna_linkage::hub::Hub>,
    pub jlis: RunningNode,
    /// 千代田区's clerk, who records events at J-LIS.
    pub clerk: reqwest::Client,
}

impl TestNet {
    /// A hub and J-LIS over an empty registry (`key` is the registry's code key).
    pub async fn start(name: &str, key: u8) -> Self {
        let store = RegistryStore::open(db().await, move || [key; 32]).await.unwrap();
        Self::over(name, store).await
    }

    /// A hub and J-LIS over `store`, loaded by the caller.
    pub async fn over(name: &str, store: RegistryStore) -> Self {
        let dir = std::env::temp_dir().join(format!("myna-{name}-{}-{}", std::process::id(), myna_node::now_ms()));
        std::fs::create_dir_all(&dir).unwrap();
        let (hub, hub_state) = myna_linkage::hub::start(db().await, &identity(&dir, "hub"), any()).await.unwrap();
        let jlis = myna_jlis::start_with_hub(store, &identity(&dir, "jlis"), any(), Some(&hub.url())).await.unwrap();
        let _ = hub_state.jlis.set(jlis.url());
        let clerk = identity(&dir, "municipality:131016").client().unwrap();
        TestNet { dir, hub, hub_state, jlis, clerk }
    }

    /// The node identity `name` (made on first use), trusted by every node of the network.
    pub fn identity(&self, name: &str) -> NodeIdentity {
        identity(&self.dir, name)
    }

    /// An agency's configuration on this network.
    pub fn config(&self, name: &str) -> AgencyConfig {
        AgencyConfig { name: name.into(), hub_url: self.hub.url(), jlis_url: self.jlis.url(), login_service: None }
    }

    /// Records the birth of `name` (`kana`) in 千代田区 on 1990-04-01 and issues the card;
    /// `key` makes the request idempotent.
    pub async fn born(&self, key: &str, name: &str, kana: &str) -> Person {
        self.born_in(key, name, kana, None).await
    }

    /// [`Self::born`] into `household` (as its head's child), or as the head of a new one.
    pub async fn born_in(&self, key: &str, name: &str, kana: &str, household: Option<u64>) -> Person {
        let birth = json!({"kind": "birth", "on": BIRTH, "name": name, "kana": kana, "sex": "female",
            "address": ADDRESS, "household": household});
        let v: Value = self
            .clerk
            .post(format!("{}/v1/events", self.jlis.url()))
            .header("idempotency-key", key)
            .json(&birth)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = v["resident"]["code"].as_str().unwrap().to_string();
        let number = v["resident"]["number"].as_str().unwrap().replace(' ', "");
        let household = v["resident"]["household"].as_u64().unwrap();
        let card = myna_testkit::card::issue(&self.clerk, &self.jlis.url(), &code).await;
        Person { number, code, household, card, name: name.into() }
    }

    /// The portal as an agency node whose inbox keeps what it is told.
    pub async fn portal(&self) -> (Arc<Agency>, Inbox) {
        let inbox: Inbox = Default::default();
        let keep = inbox.clone();
        let portal =
            agency::start_with(db().await, &self.identity("portal"), any(), self.config("マイナポータル"), {
                move |a: Arc<Agency>| {
                    axum::Router::new()
                        .route(
                            "/v1/inbox",
                            axum::routing::post(move |body: String| async move {
                                let (env, plain) = a.open_push(&body).unwrap();
                                let text: NoticeText = serde_json::from_slice(&plain).unwrap();
                                keep.lock().unwrap().push((env.body.code.to_string(), text));
                                myna_node::jose(a.acknowledge(&env).unwrap())
                            }),
                        )
                        .route_layer(axum::middleware::from_fn_with_state(agency::HUB_ONLY, myna_node::only_peers))
                }
            })
            .await
            .unwrap();
        portal.agency.register().await.unwrap();
        (portal.agency, inbox)
    }
}

fn identity(dir: &Path, name: &str) -> NodeIdentity {
    NodeIdentity::load_or_create(dir, name, &[]).unwrap()
}
