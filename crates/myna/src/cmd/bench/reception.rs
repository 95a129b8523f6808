//! A facility's terminal in `myna bench eligibility`: it signs challenges with the bench's
//! cards and posts checks to the health node; with `--retry`, a check that was not confirmed
//! (the node or its database away) is tried again with a fresh challenge, as a receptionist
//! would ask the patient to touch the card again.

use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use myna_pki::login::Challenge;
use serde_json::{Value, json};

pub(super) struct Terminal {
    pub api: String,
    pub client: reqwest::Client,
    /// `code:key` of the facility.
    pub facility: String,
    pub keys: Vec<myna_pki::softcard::UnlockedKey>,
    pub certs: Vec<String>,
}

impl Terminal {
    /// The body of check `i`: challenge `text` signed by card `i` (of the bench's cards), with
    /// the patient's consent to share on every other check.
    pub fn signed(&self, i: usize, text: &str) -> Result<String, Box<dyn std::error::Error>> {
        let k = i % self.keys.len();
        let sig = self.keys[k].sign_digest(&Challenge::parse(text)?.digest())?;
        let consent = if i.is_multiple_of(2) { json!({"medication": true, "checkups": true}) } else { json!({}) };
        Ok(json!({"challenge": text, "certificate": self.certs[k], "signature": Base64::encode_string(&sig), "method": "pin", "consent": consent}).to_string())
    }

    /// A challenge from the facility's reader.
    pub async fn challenge(&self) -> Option<String> {
        let res =
            self.client.post(format!("{}/v1/reception/challenge", self.api)).bearer_auth(&self.facility).send().await;
        let v: Value = res.ok()?.json().await.ok()?;
        v["challenge"].as_str().map(str::to_string)
    }

    /// Posts a check; its reception id when confirmed.
    pub async fn check(&self, body: String) -> Option<String> {
        let res = self
            .client
            .post(format!("{}/v1/reception", self.api))
            .bearer_auth(&self.facility)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .ok()?;
        if res.status() != reqwest::StatusCode::OK {
            return None;
        }
        let v: Value = res.json().await.ok()?;
        (v["outcome"] == "confirmed").then(|| v["reception"].as_str().map(str::to_string)).flatten()
    }

    /// Check `i` tried again with fresh challenges until it is confirmed or `within` passes;
    /// `tries` counts the attempts after the first.
    pub async fn until_confirmed(
        &self,
        i: usize,
        within: Duration,
        tries: &std::sync::atomic::AtomicUsize,
    ) -> Option<String> {
        let start = Instant::now();
        while start.elapsed() < within {
            tries.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(50)).await;
            let Some(text) = self.challenge().await else { continue };
            let Ok(body) = self.signed(i, &text) else { continue };
            if let Some(id) = self.check(body).await {
                return Some(id);
            }
        }
        None
    }
}
