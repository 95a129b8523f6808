//! `myna bench log --tree N`: a log of N entries built as tiles on disk with bounded memory,
//! a hub started on it (which reads only the tree's right edge), proofs fetched as tiles over
//! HTTPS and checked by the client, and inclusion proofs served while entries are appended.

use std::sync::{
    Arc,
    atomic::{AtomicBool, AtomicU64, Ordering},
};
use std::time::Instant;

use myna_link::{
    Entry, MessageId, Outcome, merkle,
    tiles::{Edge, tiles_at},
};
use myna_linkage::{
    hub::{self, HubStore, NewEntry},
    tile_client::TileClient,
};
use myna_node::NodeIdentity;
use myna_store::Db;

use super::{latencies, login::drive};
use crate::cmd::CmdResult;

/// Peak resident memory of this process (Linux), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn synthetic_leaf(i: u64) -> [u8; 32] {
    merkle::leaf_hash(&i.to_be_bytes())
}

/// Writes the tiles of a log of `n` synthetic entries, and the last partial tile's entries as
/// log rows, so that a hub opens on it as on a log of `n` (the rows before are not written:
/// the hub never reads them to prove or to serve tiles).
async fn build(store: &HubStore, n: u64) -> CmdResult {
    let bar = indicatif::ProgressBar::new(n).with_message("hashing and writing tiles");
    let (mut edge, mut full) = (Edge::default(), Vec::new());
    for i in 0..n {
        edge.push(synthetic_leaf(i), &mut full);
        if full.len() >= 1024 {
            store.put_tiles(&full).await?;
            full.clear();
            bar.set_position(i);
        }
    }
    store.put_tiles(&full).await?;
    bar.finish_and_clear();
    // The hub counts its entries by the last row: with no partial tile, the last full one's.
    let (tiles, _) = tiles_at(n, 0);
    let first = if n.is_multiple_of(256) { n.saturating_sub(256) } else { tiles * 256 };
    let rows: Vec<NewEntry> = (first..n)
        .map(|i| NewEntry {
            at: 0,
            requester: "bench".into(),
            message: format!("m{i}"),
            subject: None,
            leaf: synthetic_leaf(i),
            entry: String::new(),
        })
        .collect();
    store.append(first, &rows, &[], None).await?;
    Ok(())
}

pub(super) async fn run(dir: &std::path::Path, n: u64, concurrency: usize) -> CmdResult {
    let url = format!("sqlite://{}", dir.join("tree.db").display());
    println!("building a log of {n} entries as tiles on disk …");
    let t = Instant::now();
    build(&HubStore::open(Db::open(&url).await?).await?, n).await?;
    let bytes: u64 =
        ["tree.db", "tree.db-wal"].iter().filter_map(|f| std::fs::metadata(dir.join(f)).ok()).map(|m| m.len()).sum();
    println!(
        "  built in {:.1} s: {:.2} GB on disk, peak memory {:.0} MiB",
        t.elapsed().as_secs_f64(),
        bytes as f64 / 1e9,
        peak_mib()
    );
    let network = dir.join("network");
    let t = Instant::now();
    let (node, hub) = hub::start(
        Db::open(&url).await?,
        &NodeIdentity::load_or_create(&network, hub::HUB_ID, &[])?,
        super::link::any(),
    )
    .await?;
    println!(
        "  a hub opened on it in {:.0} ms (it reads the right edge only); peak memory now {:.0} MiB",
        t.elapsed().as_secs_f64() * 1e3,
        peak_mib()
    );
    let client = NodeIdentity::load_or_create(&network, "auditor", &[])?.client()?;
    let probe = TileClient::new(client.clone(), &node.url());
    let vkey = probe.vkey().await?;
    let (_, cp) = probe.checkpoint(&vkey).await?;
    if cp.size != n {
        return Err(format!("the checkpoint says {} entries, {n} were built", cp.size).into());
    }

    // A client with no tiles at hand: each proof fetches its tiles, builds and checks it.
    let samples = 500u64;
    let mut lat = Vec::with_capacity(samples as usize);
    for k in 0..samples {
        let i = (k * 2_654_435_761) % n;
        let t = Instant::now();
        let mut fresh = TileClient::new(client.clone(), &node.url());
        let p = fresh.inclusion(i, n).await?;
        merkle::verify_inclusion(&i.to_be_bytes(), i, n, &cp.root, &p)?;
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(f64::total_cmp);
    println!("inclusion proof from tiles, fetched cold over HTTPS and checked ({samples}): {}", latencies(&lat));

    // Proofs served while entries are appended.
    let stop = Arc::new(AtomicBool::new(false));
    let appended = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for _ in 0..concurrency {
        let (hub, stop, appended) = (hub.clone(), stop.clone(), appended.clone());
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let e = Entry {
                    at: myna_linkage::now_ms(),
                    message: MessageId::random(),
                    requester: "municipality:131016".parse().ok()?,
                    provider: "municipality:271004".parse().ok()?,
                    task: "child_allowance".into(),
                    item: "local_tax".into(),
                    outcome: Outcome::Delivered,
                    reason: None,
                    subject: None,
                    concerns: vec![],
                };
                if hub.log.append(e).await.is_ok() {
                    appended.fetch_add(1, Ordering::Relaxed);
                }
            }
            Some(())
        }));
    }
    let base = node.url();
    let proofs = 20_000usize;
    let (lat, wall) = drive(proofs, 32, move |k| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let i = (k as u64 * 2_654_435_761) % n;
            let url = format!("{base}/v1/log/inclusion?index={i}&size={n}");
            matches!(client.get(url).send().await, Ok(r) if r.status().is_success())
        }
    })
    .await?;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        let _ = w.await;
    }
    println!(
        "inclusion proofs served from tiles while appending: {} in {wall:.2} s: {:.0}/s, {} (32 clients over HTTPS); {:.0} entries/s appended meanwhile by {concurrency} writers",
        lat.len(),
        lat.len() as f64 / wall,
        latencies(&lat),
        appended.load(Ordering::Relaxed) as f64 / wall
    );
    println!("peak memory of the whole run {:.0} MiB", peak_mib());
    Ok(())
}
