//! `myna link inspect`: an agency's bulk マイナンバー情報総点検 — its records (a CSV of its
//! reference, the number and its own 4 items, one a line) sent through its own node to J-LIS
//! a thousand at a time, each classed, the suspect ones queued at the node for a clerk to
//! confirm and correct; the report in the seed's form (checked, wrong, rate; changed,
//! deceased, refused). Interrupted, it resumes after the last batch it finished (the state
//! file): nothing is sent twice.

use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use super::{CmdResult, link::ClerkArgs};

#[derive(Args)]
pub struct InspectArgs {
    #[command(flatten)]
    clerk: ClerkArgs,
    /// The task the links serve (a task of the caller's on the permission table).
    #[arg(long)]
    task: String,
    /// The inspection's reference, kept in J-LIS's access log.
    #[arg(long)]
    case: String,
    /// CSV with a header: person,number,name,birth,sex,address (person: the agency's own
    /// reference; sex may be empty).
    #[arg(long)]
    links: PathBuf,
    /// Where the results go: OUT.results.jsonl (one class a line), OUT.report.json, and
    /// OUT.state (the batches done, for a resumed run).
    #[arg(long)]
    out: PathBuf,
}

fn with_ext(out: &Path, ext: &str) -> PathBuf {
    let mut p = out.as_os_str().to_owned();
    p.push(ext);
    PathBuf::from(p)
}

/// Reads the links; a line that cannot be read becomes a refused line of its own.
fn read_links(path: &Path) -> Result<Vec<Result<Value, String>>, Box<dyn std::error::Error>> {
    let mut r =
        csv::ReaderBuilder::new().flexible(true).from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let want = ["person", "number", "name", "birth", "sex", "address"];
    let header: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    if header != want {
        return Err(
            format!("{}: the header must be {} (it is {})", path.display(), want.join(","), header.join(",")).into()
        );
    }
    Ok(r.records()
        .map(|rec| {
            let rec = rec.map_err(|e| e.to_string())?;
            if rec.len() != 6 {
                return Err(format!("{} fields, not 6", rec.len()));
            }
            let sex = Some(rec[4].trim()).filter(|s| !s.is_empty());
            Ok(json!({"person": rec[0].trim(), "number": rec[1].trim(), "name": rec[2].trim(), "birth": rec[3].trim(), "sex": sex, "address": rec[5].trim()}))
        })
        .collect())
}

impl InspectArgs {
    pub async fn run(self) -> CmdResult {
        let links = read_links(&self.links)?;
        let (state, results) = (with_ext(&self.out, ".state"), with_ext(&self.out, ".results.jsonl"));
        // A state file means a run began: resume after the batches it finished.
        let done: usize = match std::fs::read_to_string(&state) {
            Ok(s) => s.trim().parse().map_err(|_| format!("{}: not a line count", state.display()))?,
            Err(_) => {
                std::fs::write(&results, "")?;
                super::card_file::write_atomic(&state, b"0")?;
                0
            }
        };
        let node = self.clerk.session().await?;
        let bar = ProgressBar::new(links.len() as u64);
        bar.set_style(ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} links, {per_sec}, eta {eta}")?);
        bar.set_message("inspecting");
        bar.set_position(done as u64);
        let batch = myna_jlis::INSPECTION_BATCH_MAX;
        let mut at = done;
        while at < links.len() {
            let chunk = &links[at..(at + batch).min(links.len())];
            let sendable: Vec<(usize, &Value)> =
                chunk.iter().enumerate().filter_map(|(i, l)| l.as_ref().ok().map(|v| (at + i, v))).collect();
            let mut lines: Vec<Value> = chunk
                .iter()
                .enumerate()
                .filter_map(|(i, l)| {
                    l.as_ref().err().map(|e| json!({"line": at + i, "standing": "refused", "reason": e}))
                })
                .collect();
            if !sendable.is_empty() {
                let body = json!({"task": self.task, "case": self.case, "records": sendable.iter().map(|(_, v)| v).collect::<Vec<_>>()});
                let answer = node.call(reqwest::Method::POST, "/v1/inspection", body).await?;
                for r in answer["results"].as_array().ok_or("the agency's node answered no results")? {
                    let mut r = r.clone();
                    let k = r["line"].as_u64().unwrap_or(0) as usize;
                    r["line"] = json!(sendable.get(k).map(|(n, _)| *n).unwrap_or(0));
                    lines.push(r);
                }
            }
            lines.sort_by_key(|l| l["line"].as_u64());
            // The results of a batch, then the state: a run killed in between sends that batch
            // again and its lines are written once more, which the report counts once.
            let mut text = String::new();
            for l in &lines {
                text.push_str(&l.to_string());
                text.push('\n');
            }
            let mut f = std::fs::OpenOptions::new().append(true).open(&results)?;
            std::io::Write::write_all(&mut f, text.as_bytes())?;
            f.sync_all()?;
            at += chunk.len();
            super::card_file::write_atomic(&state, at.to_string().as_bytes())?;
            bar.set_position(at as u64);
        }
        bar.finish_and_clear();
        let report = report(&results)?;
        super::card_file::write_atomic(&with_ext(&self.out, ".report.json"), &serde_json::to_vec_pretty(&report)?)?;
        println!("{}", serde_json::to_string_pretty(&report)?);
        Ok(())
    }
}

/// The seed's form: links checked, wrong, the rate; and the rest of the classes. A line
/// written twice (a resumed batch) counts once.
fn report(results: &Path) -> Result<Value, Box<dyn std::error::Error>> {
    let mut by_line = std::collections::BTreeMap::new();
    for l in std::fs::read_to_string(results)?.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(l)?;
        by_line.insert(v["line"].as_u64().unwrap_or(0), v);
    }
    let count = |s: &str| by_line.values().filter(|v| v["standing"] == s).count();
    let refused = count("refused");
    let checked = by_line.len() - refused;
    let wrong = count("wrong");
    let rate = if checked == 0 { 0.0 } else { wrong as f64 * 100.0 / checked as f64 };
    let suspected: Vec<&Value> = by_line.values().filter(|v| v["standing"] == "wrong").collect();
    Ok(json!({
        "checked": checked, "wrong": wrong, "rate_percent": format!("{rate:.3}"),
        "matches": count("matches"), "changed": count("changed"), "deceased": count("deceased"), "refused": refused,
        "family_swaps": suspected.iter().filter(|v| v["other_in_household"] == true).count(),
        "suspected_lines": suspected.iter().map(|v| v["line"].clone()).collect::<Vec<_>>(),
    }))
}
