//! The hub's log as C2SP tlog-tiles: served to members, checked by Go's original
//! `golang.org/x/mod/sumdb` (an implementation independent of ours), entry bundles only for
//! the monitor, and the tiles kept across a restart and made for a log from before tiles.

mod common;

use std::sync::Arc;

use common::*;
use myna_link::{
    Entry, MessageId, Outcome,
    merkle::{self, Tree},
    tiles::{TileId, tiles_at},
};
use myna_linkage::hub::{HubStore, Log, NewEntry};
use myna_linkage::tile_client::TileClient;
use myna_store::Db;
use serde_json::Value;

fn entry(i: usize) -> Entry {
    Entry {
        at: myna_linkage::now_ms(),
        message: MessageId::random(),
        requester: CITY_A.parse().unwrap(),
        provider: CITY_B.parse().unwrap(),
        task: "child_allowance".into(),
        item: "local_tax".into(),
        outcome: Outcome::NotHeld,
        reason: None,
        subject: Some(format!("{i:064x}")),
        concerns: vec![],
    }
}

/// Every hash tile and entry bundle of a tree of `size`, by path.
fn all_tiles(size: u64) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for level in 0u8.. {
        let (full, partial) = tiles_at(size, level);
        if (full, partial) == (0, 0) {
            break;
        }
        let mut ids: Vec<TileId> = (0..full).map(|index| TileId { level, index, width: 256 }).collect();
        if partial > 0 {
            ids.push(TileId { level, index: full, width: partial });
        }
        for id in ids {
            out.push((id.path(), if level == 0 { id.entries_path() } else { String::new() }));
        }
    }
    out
}

async fn get(client: &reqwest::Client, url: &str) -> (u16, Option<String>, Vec<u8>) {
    let res = client.get(url).send().await.unwrap();
    let cache = res.headers().get("cache-control").map(|v| v.to_str().unwrap().to_string());
    (res.status().as_u16(), cache, res.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_go_tile_client_verifies_the_checkpoint_the_tiles_and_every_entry() {
    let c = Country::start(None).await;
    c.enrol(CITY_A, 0).await;
    c.enrol(CITY_B, 0).await;
    c.put_copy(CITY_B, 0, "local_tax", "1.1", tax(2_500_000)).await;
    let (s, asked) = c.ask(CITY_A, 0, "child_allowance", "local_tax", CITY_B).await;
    assert_eq!(s, 200, "{asked}");
    let base = format!("{}/v1/log", c.hub.url());
    let member = c.node_client();
    let dir = tmpdir("tiles");
    let (s, _, old) = get(&member, &format!("{base}/checkpoint")).await;
    assert_eq!(s, 200);
    std::fs::write(dir.join("old-checkpoint"), &old).unwrap();

    // Enough entries for a full tile at the bottom and partial ones above it.
    let mut appends = Vec::new();
    for i in 0..300 {
        let hub = c.hub_state.clone();
        appends.push(tokio::spawn(async move { hub.log.append(entry(i)).await.unwrap() }));
    }
    for a in appends {
        a.await.unwrap();
    }
    let (_, cache, checkpoint) = get(&member, &format!("{base}/checkpoint")).await;
    assert_eq!(cache.as_deref(), Some("no-cache"), "the checkpoint moves");
    let (_, _, vkey) = get(&member, &format!("{base}/vkey")).await;
    std::fs::write(dir.join("checkpoint"), &checkpoint).unwrap();
    std::fs::write(dir.join("vkey"), &vkey).unwrap();
    let size: u64 = String::from_utf8_lossy(&checkpoint).lines().nth(1).unwrap().parse().unwrap();
    assert!(size > 300, "{size}");

    let monitor = identity(&c.dir, "ppc").client().unwrap();
    for (tile, bundle) in all_tiles(size) {
        let (s, cache, body) = get(&member, &format!("{base}/{tile}")).await;
        assert_eq!(s, 200, "{tile}");
        assert_eq!(cache.as_deref(), Some("public, max-age=31536000, immutable"), "{tile}");
        std::fs::create_dir_all(dir.join(&tile).parent().unwrap()).unwrap();
        std::fs::write(dir.join(&tile), body).unwrap();
        if bundle.is_empty() {
            continue;
        }
        let (s, _, body) = get(&member, &format!("{base}/{bundle}")).await;
        assert_eq!(s, 403, "entry bundles carry the person's tag: only the monitor reads them");
        assert!(String::from_utf8_lossy(&body).contains("個人情報保護委員会"), "{}", String::from_utf8_lossy(&body));
        let (s, cache, body) = get(&monitor, &format!("{base}/{bundle}")).await;
        assert_eq!((s, cache.as_deref()), (200, Some("no-store")), "{bundle}");
        std::fs::create_dir_all(dir.join(&bundle).parent().unwrap()).unwrap();
        std::fs::write(dir.join(&bundle), body).unwrap();
    }

    let go = std::process::Command::new("go")
        .args(["run", concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tlog/main.go")])
        .arg(&dir)
        .env("GOPATH", "/usr/share/gocode")
        .env("GO111MODULE", "off")
        .env("GOCACHE", dir.join("gocache"))
        .env("GOFLAGS", "")
        .output()
        .expect("Go (Debian's golang-go and golang-golang-x-mod-dev, which scripts/test.sh installs)");
    let out = String::from_utf8_lossy(&go.stdout);
    assert!(go.status.success(), "{out}{}", String::from_utf8_lossy(&go.stderr));
    assert!(
        out.contains(&format!("ok: checkpoint of {size} verified with hub.myna.invalid/log, {size} entries proven")),
        "{out}"
    );

    // Our own client builds the same proofs from the same tiles.
    let mut tiles = TileClient::new(member.clone(), &c.hub.url());
    let (_, cp) = tiles.checkpoint(String::from_utf8_lossy(&vkey).trim()).await.unwrap();
    assert_eq!(tiles.root(size).await.unwrap(), cp.root);
    let index = asked["record"].as_u64().unwrap();
    let proof = tiles.inclusion(index, size).await.unwrap();
    merkle::verify_inclusion(asked["entry"].as_str().unwrap().as_bytes(), index, size, &cp.root, &proof).unwrap();

    // What is not a tile is told apart from what is not there yet.
    let (s, _, body) = get(&member, &format!("{base}/tile/0/1")).await;
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, 404);
    assert!(v["error"]["message"].as_str().unwrap().contains("not a tile path"), "{v}");
    let (s, _, body) = get(&member, &format!("{base}/tile/0/009")).await;
    assert_eq!(s, 404, "{}", String::from_utf8_lossy(&body));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A log written before tiles (hub schema 2) gets its tiles when the hub starts; a log
/// reopened has the same root and proofs; on SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiles_are_made_for_an_old_log_and_kept_across_a_restart() {
    let dir = tmpdir("tile-restart");
    let id = identity(&dir, "hub");
    let key = Arc::new(myna_link::NodeKey::from_pem(&id.cert_pem, &id.key_pem).unwrap());
    for url in myna_testkit::fresh_urls().await {
        let store = HubStore::open(Db::open(&url).await.unwrap()).await.unwrap();
        let mut tree = Tree::new();
        let rows: Vec<NewEntry> = (0..600)
            .map(|i| {
                let text = format!("{{\"old\":{i}}}");
                let leaf = merkle::leaf_hash(text.as_bytes());
                tree.push(leaf);
                NewEntry { at: i, requester: "r".into(), message: format!("m{i}"), subject: None, leaf, entry: text }
            })
            .collect();
        store.append(0, &rows, &[], None).await.unwrap();
        assert_eq!(store.tile_count(0).await.unwrap(), 0, "{url}: an old log has no tiles");

        let log = Log::open(store.clone(), key.clone()).await.unwrap();
        assert_eq!(store.tile_count(0).await.unwrap(), 2, "{url}: two full tiles of leaves");
        let h = log.head().unwrap();
        assert_eq!((h.head.size, h.head.root.clone()), (600, hex::encode(tree.root(600).unwrap())), "{url}");
        for i in 0..100 {
            let (index, text) = log.append(entry(i)).await.unwrap();
            assert_eq!(index, 600 + i as u64);
            tree.push(merkle::leaf_hash(text.as_bytes()));
        }
        drop(log);

        let log = Log::open(store.clone(), key.clone()).await.unwrap();
        let h = log.head().unwrap();
        assert_eq!((h.head.size, h.head.root), (700, hex::encode(tree.root(700).unwrap())), "{url}: reopened");
        assert_eq!(log.inclusion(650, 700).await.unwrap(), tree.inclusion(650, 700).unwrap());
        assert_eq!(log.consistency(300, 700).await.unwrap(), tree.consistency(300, 700).unwrap());
        assert!(log.inclusion(5, 701).await.is_err(), "{url}: no proof for a tree larger than the log");
        store.db().pool.close().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
