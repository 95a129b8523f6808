//! `myna bench address`: throughput and agreement against the npm peer on the same inputs.

use std::{
    path::PathBuf,
    process::Command,
    time::{Duration, Instant},
};

use clap::Args;
use myna_population::Generator;
use myna_text::address::{NormalizedAddress, normalize};

use crate::cmd::{CmdResult, today};

#[derive(Args)]
pub struct AddressBench {
    /// How many input addresses.
    #[arg(long, default_value_t = 2_000)]
    count: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder with the peer's runner (bench/address, after `npm ci` there).
    #[arg(long)]
    peer: Option<PathBuf>,
}

/// The generated addresses in six spellings people use: 番地/号 words, hyphens, full-width,
/// no prefecture, kanji numerals, Arabic 丁目 with spaces and long-vowel dashes.
fn inputs(count: usize, seed: u64) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut g = Generator::new(seed, today()).ok_or("no municipality data")?;
    let people = g.take(count);
    Ok(people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let n = p.address.normalized();
            let (nums, tail) = n.rest.split_once(' ').unwrap_or((&n.rest, ""));
            let parts: Vec<&str> = nums.split('-').collect();
            let words = match parts.as_slice() {
                [b, g] => format!("{b}番地{g}号"),
                [b] => format!("{b}番地"),
                _ => nums.to_string(),
            };
            let kanji_words = match parts.as_slice() {
                [b, g] => format!("{}番地{}号", kanji(b), kanji(g)),
                [b] => format!("{}番地", kanji(b)),
                _ => nums.to_string(),
            };
            match i % 6 {
                4 => format!("{}{}{}{}{}", n.pref, n.city, n.town, kanji_words, tail),
                5 => format!("{} {} {}{}", n.pref, n.city, arabic_chome(&n.town), n.rest.replace('-', "ー")),
                0 => format!("{}{}{}{}{}", n.pref, n.city, n.town, words, tail),
                1 => format!("{}{}{}{}", n.pref, n.city, n.town, n.rest),
                2 => format!("{}{}{}{}", n.pref, n.city, n.town, n.rest)
                    .chars()
                    .map(|c| match c {
                        '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
                        '-' => '－',
                        c => c,
                    })
                    .collect(),
                _ => format!("{}{}{}", n.city, n.town, n.rest),
            }
        })
        .collect())
}

fn kanji(n: &str) -> String {
    n.parse::<u64>().map(myna_text::arabic_to_kanji).unwrap_or_else(|_| n.to_string())
}

/// 別所一丁目 → 別所1丁目.
fn arabic_chome(town: &str) -> String {
    let Some(base) = town.strip_suffix("丁目") else { return town.to_string() };
    let split =
        base.char_indices().rev().take_while(|(_, c)| "一二三四五六七八九十".contains(*c)).last().map(|(i, _)| i);
    match split {
        Some(i) => format!("{}{}丁目", &base[..i], myna_text::replace_kanji_numerals(&base[i..])),
        None => town.to_string(),
    }
}

fn same(ours: &NormalizedAddress, peer: &serde_json::Value) -> bool {
    let s = |k: &str| peer[k].as_str().unwrap_or_default().to_string();
    let peer_rest: String = format!("{}{}", s("addr"), s("other")).chars().filter(|c| !c.is_whitespace()).collect();
    let our_rest: String = ours.rest.chars().filter(|c| !c.is_whitespace()).collect();
    ours.pref == s("pref") && ours.city == s("city") && ours.town == s("town") && our_rest == peer_rest
}

impl AddressBench {
    pub fn run(self) -> CmdResult {
        let lines = inputs(self.count, self.seed)?;
        // Load the gazetteer before timing, as the peer warms its caches.
        let _ = normalize("東京都");
        let rounds = 20;
        let start = Instant::now();
        let mut ours = Vec::new();
        for _ in 0..rounds {
            ours = lines.iter().map(|l| normalize(l)).collect();
        }
        let ours_t = start.elapsed() / rounds;
        let per_s = lines.len() as f64 / ours_t.as_secs_f64();
        let level3 = ours.iter().filter(|a| a.level as u8 == 3).count();
        println!(
            "myna: {} addresses in {:.2} ms = {:.0} addresses/s ({} at town level)",
            lines.len(),
            ours_t.as_secs_f64() * 1e3,
            per_s,
            level3
        );
        let Some(peer) = self.peer else { return Ok(()) };
        let dir = std::env::temp_dir().join(format!("myna-addr-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let input = dir.join("inputs.txt");
        std::fs::write(&input, lines.join("\n") + "\n")?;
        let api = dir.join("api");
        let tsv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../text/data/municipalities.tsv");
        let status = Command::new("node").arg(peer.join("make-api.mjs")).arg(&tsv).arg(&api).status()?;
        if !status.success() {
            return Err(format!("building the peer's data failed (did you run `npm ci` in {}?)", peer.display()).into());
        }
        let out = Command::new("node").arg(peer.join("peer.mjs")).arg(&input).arg(&api).output()?;
        if !out.status.success() {
            return Err(format!("the peer failed: {}", String::from_utf8_lossy(&out.stderr)).into());
        }
        let err = String::from_utf8_lossy(&out.stderr);
        let ns: u64 = err
            .lines()
            .find_map(|l| l.strip_prefix("elapsed_ns "))
            .and_then(|v| v.trim().parse().ok())
            .ok_or("the peer did not report its time")?;
        let peer_t = Duration::from_nanos(ns);
        let peer_rows: Vec<serde_json::Value> =
            String::from_utf8_lossy(&out.stdout).lines().map(serde_json::from_str).collect::<Result<_, _>>()?;
        let agree = ours.iter().zip(&peer_rows).filter(|(o, p)| same(o, p)).count();
        let peer_per_s = lines.len() as f64 / peer_t.as_secs_f64();
        println!(
            "@geolonia/normalize-japanese-addresses 3.1.3: {:.2} ms = {:.0} addresses/s",
            peer_t.as_secs_f64() * 1e3,
            peer_per_s
        );
        println!("ratio: myna is {:.1}× the peer's throughput", per_s / peer_per_s);
        println!(
            "agreement (pref, city, town and the rest all equal): {agree}/{} = {:.1}%",
            lines.len(),
            100.0 * agree as f64 / lines.len().max(1) as f64
        );
        let mut shown = 0;
        for ((l, o), p) in lines.iter().zip(&ours).zip(&peer_rows) {
            if !same(o, p) && shown < 5 {
                println!("  differs: {l}\n    myna: {}\n    peer: {p}", serde_json::to_string(o)?);
                shown += 1;
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
