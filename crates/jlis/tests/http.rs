//! The J-LIS node over real HTTPS, on SQLite and PostgreSQL.

use std::net::SocketAddr;

use myna_jlis::store::RegistryStore;
use myna_node::{NodeIdentity, RunningNode};
use myna_store::Db;
use reqwest::{Certificate, Client, StatusCode};
use serde_json::{Value, json};

struct Node {
    node: RunningNode,
    client: Client,
    /// 大阪市's clerk system: keeps the register of its wards (大阪市北区 …).
    osaka: Client,
    dir: std::path::PathBuf,
}

async fn start(db: Db) -> Node {
    let dir = std::env::temp_dir().join(format!("myna-jlis-{}-{}", std::process::id(), rand_suffix()));
    let identity = NodeIdentity::load_or_create(&dir, "jlis", &[]).unwrap();
    let store = RegistryStore::open(db, || [7; 32]).await.unwrap();
    let node = myna_jlis::start(store, &identity, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    // The municipality's clerk system, named by its network certificate.
    let client = NodeIdentity::load_or_create(&dir, "municipality:131016", &[]).unwrap().client().unwrap();
    let osaka = NodeIdentity::load_or_create(&dir, "municipality:271004", &[]).unwrap().client().unwrap();
    Node { node, client, osaka, dir }
}

fn n_ca(n: &Node) -> String {
    std::fs::read_to_string(n.dir.join("ca.pem")).unwrap()
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
}

impl Node {
    fn url(&self, p: &str) -> String {
        format!("{}{p}", self.node.url())
    }

    async fn post(&self, p: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.post_with(&self.client, p, key, body).await
    }

    async fn post_with(&self, client: &Client, p: &str, key: Option<&str>, body: Value) -> (StatusCode, Value) {
        let mut r = client.post(self.url(p)).json(&body);
        if let Some(k) = key {
            r = r.header("idempotency-key", k);
        }
        let res = r.send().await.unwrap();
        (res.status(), res.json().await.unwrap())
    }

    async fn raw(&self, p: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let res =
            self.client.post(self.url(p)).header("content-type", "application/json").body(body).send().await.unwrap();
        (res.status(), res.json().await.unwrap())
    }

    async fn get(&self, p: &str) -> (StatusCode, String) {
        self.get_with(&self.client, p).await
    }

    async fn get_with(&self, client: &Client, p: &str) -> (StatusCode, String) {
        let res = client.get(self.url(p)).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

fn birth(name: &str, on: &str, addr: &str) -> Value {
    json!({"kind": "birth", "on": on, "name": name, "kana": "ヤマダ ハナ", "sex": "female", "address": addr})
}

#[tokio::test]
async fn clerk_registers_looks_up_and_verifies() {
    for db in myna_testkit::fresh_dbs().await.unwrap() {
        let n = start(db).await;
        let (s, rec) = n
            .post("/v1/events", Some("k1"), birth("山田 花", "2024-02-29", "東京都千代田区霞が関二丁目1番地2号"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{rec}");
        let number = rec["resident"]["number"].as_str().unwrap().to_string();
        let code = rec["resident"]["code"].as_str().unwrap().to_string();

        // A different spelling of the same address and name finds her.
        let (s, found) = n.post("/v1/lookup", None, json!({"name": "山田　花", "birth": "2024-02-29", "sex": "female", "address": "千代田区霞ヶ関２－１－２", "task": "resident_registry", "case": "t-1"})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(found["outcome"], "unique");
        assert_eq!(found["matches"][0]["number"], number.as_str());

        let (_, ok) = n.post("/v1/verify", None, json!({"number": number, "name": "山田 花", "birth": "2024-02-29", "address": "東京都千代田区霞が関2-1-2", "task": "resident_registry", "case": "t-2"})).await;
        assert_eq!(ok["verified"], true, "{ok}");
        let (_, no) = n.post("/v1/verify", None, json!({"number": number, "name": "山田 太郎", "birth": "2024-02-29", "address": "東京都千代田区霞が関2-1-2", "task": "resident_registry", "case": "t-3"})).await;
        assert_eq!(no["verified"], false);

        // Retrying the same request returns the first answer; the key with another body is refused.
        let (s, again) = n
            .post("/v1/events", Some("k1"), birth("山田 花", "2024-02-29", "東京都千代田区霞が関二丁目1番地2号"))
            .await;
        assert_eq!((s, again["replayed"].as_bool()), (StatusCode::OK, Some(true)));
        assert_eq!(again["resident"]["code"], code.as_str());
        let (s, _) =
            n.post("/v1/events", Some("k1"), birth("山田 花子", "2024-02-29", "東京都千代田区霞が関1-1")).await;
        assert_eq!(s, StatusCode::CONFLICT);

        let (s, moved) = n.post("/v1/events", Some("k2"), json!({"kind": "move_within", "on": "2025-04-01", "resident": code, "address": "千代田区永田町一丁目7番1号"})).await;
        assert_eq!(s, StatusCode::CREATED, "{moved}");
        let (_, hist) = n.get(&format!("/v1/residents/{code}/history")).await;
        let hist: Value = serde_json::from_str(&hist).unwrap();
        assert_eq!(hist.as_array().unwrap().len(), 2);
        assert_eq!(hist[0]["detail"]["address"], "東京都千代田区霞が関二丁目1-2");
        let _ = std::fs::remove_dir_all(&n.dir);
        n.node.shutdown().await;
    }
}

#[tokio::test]
async fn bad_input_gets_a_reason_and_changes_nothing() {
    let db = myna_testkit::fresh_dbs().await.unwrap().remove(0);
    let n = start(db).await;
    let (s, _) = n
        .post_with(&n.osaka, "/v1/events", Some("ok"), birth("佐藤 一", "2020-01-01", "大阪府大阪市北区梅田1-1"))
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let cases: Vec<(&str, Value, StatusCode, &str)> = vec![
        (
            "/v1/events",
            birth("佐藤 二", "2023-02-30", "大阪府大阪市北区梅田1-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "does not exist",
        ),
        (
            "/v1/events",
            birth("佐藤 二", "2099-01-01", "大阪府大阪市北区梅田1-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "in the future",
        ),
        (
            "/v1/events",
            birth("", "2020-01-01", "大阪府大阪市北区梅田1-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name is empty",
        ),
        (
            "/v1/events",
            birth(&"長".repeat(500), "2020-01-01", "大阪府大阪市北区梅田1-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most 60",
        ),
        (
            "/v1/events",
            birth("佐藤 二", "2020-01-01", "火星県オリンポス市1-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "no municipality",
        ),
        (
            "/v1/events",
            birth("佐藤 二", "2020-01-01", "府中市府中町1-1"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "several prefectures",
        ),
        ("/v1/events", json!({"kind": "birth", "on": "2020-01-01"}), StatusCode::UNPROCESSABLE_ENTITY, "missing field"),
        (
            "/v1/events",
            json!({"kind": "wedding", "on": "2020-01-01"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown variant",
        ),
        (
            "/v1/events",
            json!({"kind": "death", "on": "2020-01-01", "resident": "00000000000"}),
            StatusCode::NOT_FOUND,
            "no resident",
        ),
        (
            "/v1/lookup",
            json!({"name": "佐藤 一", "birth": "2020-01-01", "task": "resident_registry", "case": "c"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing: address",
        ),
        (
            "/v1/verify",
            json!({"number": "123456789012", "name": "a", "birth": "2020-01-01", "address": "大阪市北区梅田1-1", "task": "resident_registry", "case": "c"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "should be 8",
        ),
    ];
    for (path, body, status, words) in cases {
        let (s, b) = n.post_with(&n.osaka, path, Some(&format!("k-{}", rand_suffix())), body.clone()).await;
        assert_eq!(s, status, "{body} → {b}");
        let msg = b["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.contains(words), "{body} → {msg:?} should say {words:?}");
    }
    let (s, b) = n.raw("/v1/lookup", b"{\"name\": ".to_vec()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));
    let (s, b) = n.raw("/v1/lookup", b"{\"name\": \"\xff\xfe\"}".to_vec()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));

    // Nothing above was stored: one resident, one event.
    let (_, found) = n
        .post("/v1/lookup", None, json!({"name": "佐藤一", "birth": "2020-01-01", "address": "大阪市北区梅田1丁目1番", "task": "resident_registry", "case": "c"}))
        .await;
    assert_eq!(found["outcome"], "unique");
    let code = found["matches"][0]["code"].as_str().unwrap();
    let (_, hist) = n.get_with(&n.osaka, &format!("/v1/residents/{code}/history")).await;
    assert_eq!(serde_json::from_str::<Value>(&hist).unwrap().as_array().unwrap().len(), 1);
    n.node.shutdown().await;
}

#[tokio::test]
async fn serves_openapi_health_metrics_and_only_over_the_network_ca() {
    let db = myna_testkit::fresh_dbs().await.unwrap().remove(0);
    let n = start(db).await;
    let (s, doc) = n.get("/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    for p in ["/v1/events", "/v1/lookup", "/v1/verify", "/v1/residents/{code}"] {
        assert!(doc["paths"][p].is_object(), "openapi lacks {p}");
    }
    assert_eq!(n.get("/healthz").await, (StatusCode::OK, "ok\n".into()));
    n.post("/v1/lookup", None, json!({})).await;
    let (_, m) = n.get("/metrics").await;
    // By route, status and the kind of caller (the clerk system's municipality certificate);
    // the database pool beside them.
    assert!(
        m.contains(
            "myna_http_requests_total{method=\"POST\",route=\"/v1/lookup\",status=\"422\",caller=\"municipality\"} 1"
        ),
        "{m}"
    );
    assert!(m.contains("myna_db_connections{state=\"max\"}"), "{m}");

    // The registry answers only a municipality's certificate: with the CA's certificate alone
    // nobody records a birth or reads a record; another kind of agency is refused too.
    let anonymous =
        Client::builder().tls_certs_only([Certificate::from_pem(n_ca(&n).as_bytes()).unwrap()]).build().unwrap();
    let res = anonymous
        .post(n.url("/v1/events"))
        .header("idempotency-key", "stranger-1")
        .json(&birth("山田 花子", "2024-04-01", "東京都千代田区霞が関1-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let why: Value = res.json().await.unwrap();
    assert!(why["error"]["message"].as_str().unwrap().contains("municipality"), "{why}");
    assert_eq!(anonymous.get(n.url("/v1/residents/12345678901")).send().await.unwrap().status(), 401);
    let pension = NodeIdentity::load_or_create(&n.dir, "pension_service", &[]).unwrap().client().unwrap();
    let res = pension.get(n.url("/v1/residents/12345678901")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "a pension office does not read resident records");
    assert_eq!(
        anonymous.get(n.url("/v1/jpki/ca")).send().await.unwrap().status(),
        200,
        "the CA certificates stay public"
    );

    // A client that trusts only another CA cannot connect.
    let other = NodeIdentity::load_or_create(&n.dir.join("elsewhere"), "x", &[]).unwrap();
    let stranger =
        Client::builder().tls_certs_only([Certificate::from_pem(other.ca_pem.as_bytes()).unwrap()]).build().unwrap();
    assert!(stranger.get(n.url("/healthz")).send().await.is_err());
    let _ = std::fs::remove_dir_all(&n.dir);
    n.node.shutdown().await;
}

/// The attacks of issue 15 at the registry, each refused with its reason.
#[tokio::test]
async fn a_municipality_acts_only_on_the_register_it_keeps() {
    let db = myna_testkit::fresh_dbs().await.unwrap().remove(0);
    let n = start(db).await;
    // 千代田区 records no birth in 大阪市北区; 大阪市 does (it keeps its wards' registers).
    let kita = birth("佐藤 一", "2020-01-01", "大阪府大阪市北区梅田1-1");
    let (s, b) = n.post("/v1/events", Some("chiyoda-1"), kita.clone()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_its_resident")), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("271276"), "names who keeps it: {b}");
    let (s, rec) = n.post_with(&n.osaka, "/v1/events", Some("osaka-1"), kita).await;
    assert_eq!(s, StatusCode::CREATED, "{rec}");
    let code = rec["resident"]["code"].as_str().unwrap().to_string();
    // Nor reads her record, changes it, or records her death.
    let (s, _) = n.get(&format!("/v1/residents/{code}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let death = json!({"kind": "death", "on": "2025-01-01", "resident": code});
    let (s, _) = n.post("/v1/events", Some("chiyoda-2"), death.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(n.get_with(&n.osaka, &format!("/v1/residents/{code}")).await.0, StatusCode::OK);

    // A lookup needs a task the caller holds, and a case reference.
    let items = json!({"name": "佐藤 一", "birth": "2020-01-01", "address": "大阪府大阪市北区梅田1-1"});
    let pension = NodeIdentity::load_or_create(&n.dir, "pension_service", &[]).unwrap().client().unwrap();
    let (s, b) = n.post_with(&pension, "/v1/lookup", None, items.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b["error"]["message"].as_str().unwrap().starts_with("task"), "{b}");
    let mut with = items.clone();
    with["task"] = json!("child_allowance");
    with["case"] = json!("R8-1");
    let (s, b) = n.post_with(&pension, "/v1/lookup", None, with.clone()).await;
    assert_eq!((s, b["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("task_not_held")), "{b}");
    with["task"] = json!("pension_award");
    let (s, b) = n.post_with(&pension, "/v1/lookup", None, with).await;
    assert_eq!((s, b["outcome"].as_str()), (StatusCode::OK, Some("unique")), "{b}");

    // Her card: applied for by 大阪市, not by 千代田区; suspended by the hotline.
    let (s, _) = n.post("/v1/cards/applications", None, json!({"resident": code})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, card) = n.post_with(&n.osaka, "/v1/cards/applications", None, json!({"resident": code})).await;
    assert_eq!(s, StatusCode::CREATED, "{card}");
    let card = card["card"].as_str().unwrap().to_string();
    let (s, _) = n.post(&format!("/v1/cards/{card}/suspend"), None, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a stranger municipality suspends no card");
    let (s, _) = n.post_with(&pension, &format!("/v1/cards/{card}/suspend"), None, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "nor a pension office");
    let hotline = NodeIdentity::load_or_create(&n.dir, myna_jlis::HOTLINE, &[]).unwrap().client().unwrap();
    let (s, b) = n.post_with(&hotline, &format!("/v1/cards/{card}/resume"), None, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the hotline only suspends: {b}");
    let _ = std::fs::remove_dir_all(&n.dir);
    n.node.shutdown().await;
}

#[tokio::test]
async fn every_route_refuses_no_certificate_and_the_wrong_kind_and_lets_in_the_right_one() {
    let n = start(myna_testkit::fresh_dbs().await.unwrap().remove(0)).await;
    myna_testkit::walk(&n.node.url(), &myna_jlis::AUTHORIZATION, &n.dir).await.unwrap();
}
