//! `myna bench portal`: against a running portal (e.g. `myna demo`), authenticated page
//! views per second and application submissions per second end to end (form checked,
//! draft kept, confirmed, stored durably, receipt number returned), with their latencies.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use myna_pki::{CertKind, Secret};
use serde_json::Value;

use super::latencies;
use super::login::drive;
use crate::cmd::CmdResult;

#[derive(Args)]
pub struct PortalBench {
    /// The portal's URL.
    #[arg(long, default_value = "https://localhost:7450")]
    portal: String,
    /// The network CA the portal's certificate comes from.
    #[arg(long, default_value = ".myna/demo/network/ca.pem")]
    ca: PathBuf,
    /// A card file to log in with (one of the demo's).
    #[arg(long)]
    card: PathBuf,
    #[arg(long, default_value = "1234")]
    pin: String,
    #[arg(long, default_value_t = 20_000)]
    views: usize,
    #[arg(long, default_value_t = 2_000)]
    submissions: usize,
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let j = s[i..].find(end)? + i;
    Some(&s[i..j])
}

impl PortalBench {
    pub async fn run(self) -> CmdResult {
        let client = crate::cmd::card::network_client(
            &std::fs::read(&self.ca).map_err(|e| format!("{}: {e}", self.ca.display()))?,
        )?;
        let portal = self.portal.trim_end_matches('/').to_string();
        // Log in as the card holder's tool does.
        let c: Value =
            client.post(format!("{portal}/v1/login/challenge")).send().await?.error_for_status()?.json().await?;
        let text = c["challenge"].as_str().ok_or("no challenge")?;
        let mut card = crate::cmd::card_source::Held::file(&self.card)?;
        let body = crate::cmd::card::login_body(&mut card, text, &Secret::new(CertKind::UserAuth, &self.pin)?)?;
        let s: Value =
            client.post(format!("{portal}/v1/login")).json(&body).send().await?.error_for_status()?.json().await?;
        let cookie = Arc::new(format!("__Host-myna_session={}", s["session"].as_str().ok_or("no session")?));

        println!("authenticated page views: {} over {} connections in flight", self.views, self.concurrency);
        // The baseline, same server and connections: a static file (no session, no database).
        for path in ["/static/portal.css", "/", "/applications"] {
            let (c, k, url) = (client.clone(), cookie.clone(), Arc::new(format!("{portal}{path}")));
            let (lat, wall) = drive(self.views, self.concurrency, move |_| {
                let (c, k, url) = (c.clone(), k.clone(), url.clone());
                async move {
                    match c.get(url.as_str()).header("cookie", k.as_str()).send().await {
                        // Only the signed-in page counts (a lost session would show the login page).
                        Ok(r) if r.status().is_success() && r.url().path() != "/login" => r
                            .text()
                            .await
                            .is_ok_and(|t| t.contains("action=\"/logout\"") || t.starts_with("/* Myna Portal")),
                        _ => false,
                    }
                }
            })
            .await?;
            println!(
                "  GET {path:<14} {:>8.0} views/s  ({} ok of {}; {})",
                lat.len() as f64 / wall,
                lat.len(),
                self.views,
                latencies(&lat)
            );
        }

        // Submissions: 粗大ごみ収集の申込 at 千代田区 (no signature: the card's Argon2 unlock
        // would measure the card, not the portal).
        let form_url = format!("{portal}/apply/131016/kurashi-15");
        let page = client.get(&form_url).header("cookie", cookie.as_str()).send().await?.text().await?;
        let csrf =
            Arc::new(between(&page, "name=\"csrf\" value=\"", "\"").ok_or("no CSRF token on the form")?.to_string());
        let (c, k, f) = (client.clone(), cookie.clone(), Arc::new(form_url));
        let p = Arc::new(portal.clone());
        let (lat, wall) = drive(self.submissions, self.concurrency, move |i| {
            let (c, k, f, csrf, p) = (c.clone(), k.clone(), f.clone(), csrf.clone(), p.clone());
            async move {
                let fields = [
                    ("csrf", csrf.as_str().to_string()),
                    ("applicant_name", "負荷 試験".into()),
                    ("applicant_kana", "フカ シケン".into()),
                    ("applicant_birth", "1980-01-01".into()),
                    ("applicant_address", "東京都千代田区千代田1-1".into()),
                    ("applicant_phone", "03-1234-5678".into()),
                    ("items", format!("椅子 {i} 脚")),
                    ("collect_on", "2027-01-15".into()),
                ];
                let Ok(r) = c.post(f.as_str()).header("cookie", k.as_str()).form(&fields).send().await else {
                    return false;
                };
                let Ok(confirm) = r.text().await else { return false };
                let Some(draft) = between(&confirm, "name=\"draft\" value=\"", "\"") else { return false };
                let Ok(r) = c
                    .post(format!("{p}/apply/submit"))
                    .header("cookie", k.as_str())
                    .form(&[("csrf", csrf.as_str()), ("draft", draft)])
                    .send()
                    .await
                else {
                    return false;
                };
                r.status().is_success() && r.text().await.is_ok_and(|t| t.contains("id=\"receipt\""))
            }
        })
        .await?;
        println!(
            "application submissions end to end: {:.0}/s ({} ok of {}; {})",
            lat.len() as f64 / wall,
            lat.len(),
            self.submissions,
            latencies(&lat)
        );
        Ok(())
    }
}
