//! `myna link …` (a clerk's tool against the agency node) and `myna log verify` (anyone with a
//! network certificate, against the hub).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use myna_link::{NetworkTrust, TreeHead, audit};
use myna_linkage::tile_client::TileClient;
use myna_node::NodeIdentity;
use serde_json::{Value, json};

use super::{CmdResult, default_state};

#[derive(Args, Clone)]
pub struct ClerkArgs {
    /// The agency node's URL.
    #[arg(long, default_value = "https://localhost:7446")]
    agency: String,
    /// A clerk's staff card (a card file): signs in as the member of staff it is bound to,
    /// after the PIN (MYNA_PIN, or asked). What the clerk does is recorded under their account.
    #[arg(long, conflicts_with = "token_file", required_unless_present = "token_file")]
    card: Option<PathBuf>,
    /// Instead of a person: the file holding the token of the agency's own business system
    /// (machine-to-machine, written by the agency node at its first start).
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// The network CA (to trust the agency node's certificate).
    #[arg(long)]
    ca: PathBuf,
}

impl ClerkArgs {
    /// As the agency's business system, with its token.
    pub fn new(agency: String, token_file: PathBuf, ca: PathBuf) -> Self {
        Self { agency, card: None, token_file: Some(token_file), ca }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.agency.trim_end_matches('/'))
    }

    /// The bearer credential: the business system's token, or a staff session opened with
    /// the card.
    async fn credential(&self, client: &reqwest::Client) -> Result<String, Box<dyn std::error::Error>> {
        if let Some(f) = &self.token_file {
            return Ok(std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?.trim().to_string());
        }
        let file = self.card.as_ref().ok_or("give --card (a clerk's staff card) or --token-file")?;
        let mut card = super::card_source::Held::file(file)?;
        let c = super::card::answer(client.post(self.url("/v1/staff/challenge")).send().await?).await?;
        let challenge = c["challenge"].as_str().ok_or("the agency sent no challenge")?;
        let body = super::card::login_body(&mut card, challenge, &super::card::ask_pin()?)?;
        let s = super::card::answer(client.post(self.url("/v1/staff/login")).json(&body).send().await?).await?;
        eprintln!(
            "signed in as {} ({}, {})",
            s["staff"]["name"].as_str().unwrap_or("?"),
            s["staff"]["account"].as_str().unwrap_or("?"),
            s["staff"]["role"].as_str().unwrap_or("?")
        );
        Ok(s["session"].as_str().ok_or("the agency opened no session")?.to_string())
    }

    /// Signs in once (the staff card asks its PIN once) for a run of calls.
    pub async fn session(&self) -> Result<ClerkSession, Box<dyn std::error::Error>> {
        let client =
            super::card::network_client(&std::fs::read(&self.ca).map_err(|e| format!("{}: {e}", self.ca.display()))?)?;
        let token = self.credential(&client).await?;
        Ok(ClerkSession { client, token, base: self.agency.trim_end_matches('/').to_string() })
    }

    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        self.session().await?.call(method, path, body).await
    }
}

/// A signed-in clerk (or the business system) at the agency's node.
pub struct ClerkSession {
    client: reqwest::Client,
    token: String,
    base: String,
}

impl ClerkSession {
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> Result<Value, Box<dyn std::error::Error>> {
        let res = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = res.status();
        let text = res.text().await?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("{status}: {}", v["error"]["message"].as_str().unwrap_or(&text)).into());
        }
        Ok(v)
    }
}

#[derive(Subcommand)]
pub enum LinkCmd {
    /// Obtain this agency's code for a person from J-LIS (符号取得).
    Enrol {
        #[command(flatten)]
        clerk: ClerkArgs,
        /// The agency's own reference for the person.
        #[arg(long)]
        person: String,
        /// The individual number (12 digits): sent to J-LIS only.
        #[arg(long)]
        number: String,
        /// The person's name as the agency holds it: J-LIS links the number only if the
        /// 4 items are its resident's.
        #[arg(long)]
        name: String,
        /// The date of birth (YYYY-MM-DD).
        #[arg(long)]
        birth: String,
        /// male or female, where the agency holds it.
        #[arg(long)]
        sex: Option<String>,
        /// The address as the agency holds it.
        #[arg(long)]
        address: String,
    },
    /// マイナンバー情報総点検 of this agency's links, in bulk at J-LIS (as the agency's
    /// certificate, `--as`): a CSV of number and the agency's 4 items; a report and the
    /// suspected links; resumes where it stopped.
    Inspect(super::inspect::InspectArgs),
    /// Register a copy (副本) of an item for an enrolled person, from a JSON file.
    Copy {
        #[command(flatten)]
        clerk: ClerkArgs,
        #[arg(long)]
        person: String,
        #[arg(long)]
        item: String,
        /// Layout version of the data (default: the newest in force).
        #[arg(long)]
        version: Option<String>,
        /// JSON file with the item's fields.
        #[arg(long)]
        data: PathBuf,
    },
    /// Ask another agency, through the hub, for an item about an enrolled person.
    Query {
        #[command(flatten)]
        clerk: ClerkArgs,
        #[arg(long)]
        person: String,
        /// The task (事務) the query serves, as in the permission table.
        #[arg(long)]
        task: String,
        #[arg(long)]
        item: String,
        /// The providing agency's id (e.g. municipality:131016).
        #[arg(long)]
        provider: String,
        /// The case this is for (file or receipt number).
        #[arg(long)]
        purpose: String,
        #[arg(long)]
        version: Option<String>,
    },
}

impl LinkCmd {
    pub async fn run(self) -> CmdResult {
        match self {
            LinkCmd::Inspect(a) => return a.run().await,
            LinkCmd::Enrol { clerk, person, number, name, birth, sex, address } => {
                let body = json!({"person": person, "number": number, "name": name, "birth": birth, "sex": sex, "address": address});
                let v = clerk.call(reqwest::Method::POST, "/v1/people", body).await?;
                println!("{person}: code {}", v["code"].as_str().unwrap_or("?"));
            }
            LinkCmd::Copy { clerk, person, item, version, data } => {
                let data: Value = serde_json::from_str(
                    &std::fs::read_to_string(&data).map_err(|e| format!("{}: {e}", data.display()))?,
                )?;
                clerk
                    .call(
                        reqwest::Method::PUT,
                        &format!("/v1/people/{person}/copies/{item}"),
                        json!({"version": version, "data": data}),
                    )
                    .await?;
                println!("copy of {item} for {person} registered");
            }
            LinkCmd::Query { clerk, person, task, item, provider, purpose, version } => {
                let q = json!({"person": person, "task": task, "item": item, "provider": provider, "purpose": purpose, "version": version});
                let v = clerk.call(reqwest::Method::POST, "/v1/queries", q).await?;
                println!(
                    "{} by {provider} (hub record {}, layout {})",
                    v["outcome"].as_str().unwrap_or("?"),
                    v["record"],
                    v["version"].as_str().unwrap_or("-")
                );
                if !v["data"].is_null() {
                    println!("{}", serde_json::to_string_pretty(&v["data"])?);
                }
            }
        }
        Ok(())
    }
}

#[derive(Subcommand)]
pub enum LogCmd {
    /// Check that the hub's log only grew since the tree heads kept in a file, with proofs
    /// built from its hash tiles, then keep the new head. Exit status 1 if the log was
    /// rewritten, its tiles disagree with its signed head, or its checkpoint key changed.
    Verify {
        #[arg(long, default_value = "https://localhost:7445")]
        hub: String,
        /// Folder of the network CA and this machine's node certificate (default .myna/network).
        #[arg(long)]
        network: Option<PathBuf>,
        /// This checker's node name in the network (its certificate is made on first use).
        #[arg(long, default_value = "auditor")]
        name: String,
        /// The file of tree heads kept from earlier checks (created if absent).
        #[arg(long, default_value = ".myna/heads.json")]
        heads: PathBuf,
    },
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    head: TreeHead,
    signed: String,
    /// The hub's checkpoint key when this head was kept: a later one must be the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vkey: Option<String>,
}

impl LogCmd {
    pub async fn run(self) -> CmdResult {
        let LogCmd::Verify { hub, network, name, heads } = self;
        let network = network.unwrap_or_else(|| default_state().join("network"));
        let identity = NodeIdentity::load_or_create(&network, &name, &[])?;
        let trust = NetworkTrust::from_ca_pem(&identity.ca_pem)?;
        let client = identity.client()?;
        let hub = hub.trim_end_matches('/');
        let v: Value = client.get(format!("{hub}/v1/log/head")).send().await?.error_for_status()?.json().await?;
        let signed = v["signed"].as_str().ok_or("the hub sent no signed head")?.to_string();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let new = audit::open_head(&trust, &signed, &"hub".parse()?, None, now)?;
        let mut kept: Vec<Kept> = match std::fs::read_to_string(&heads) {
            Ok(s) => serde_json::from_str(&s).map_err(|e| format!("{}: {e}", heads.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("{}: {e}", heads.display()).into()),
        };
        let mut tiles = TileClient::new(client.clone(), hub);
        let vkey = tiles.vkey().await?;
        let (_, checkpoint) = tiles.checkpoint(&vkey).await?;
        if hex::encode(tiles.root(new.size).await?) != new.root {
            eprintln!("the hub's tiles do not give the root of its signed head of size {}", new.size);
            std::process::exit(1);
        }
        let bar = indicatif::ProgressBar::new(kept.len() as u64);
        for old in &kept {
            bar.inc(1);
            if old.vkey.as_deref().is_some_and(|k| k != vkey) {
                bar.finish_and_clear();
                eprintln!(
                    "the hub's checkpoint key changed: {vkey}, where {} was kept",
                    old.vkey.as_deref().unwrap_or("")
                );
                std::process::exit(1);
            }
            // The proof is built here from the hub's hash tiles, not asked of the hub.
            let proof: Vec<[u8; 32]> = match audit::proof_needed(&old.head, &new) {
                Ok(None) | Err(_) => Vec::new(),
                Ok(Some((from, to))) => tiles.consistency(from, to).await?,
            };
            if let Err(e) = audit::check_extends(&old.head, &new, &proof) {
                bar.finish_and_clear();
                eprintln!("{e} (kept head of size {} at {} ms)", old.head.size, old.head.at);
                std::process::exit(1);
            }
        }
        bar.finish_and_clear();
        println!(
            "the hub's log (size {}, root {}) extends all {} tree heads kept in {}; its tiles give that root, and its checkpoint (size {}) is signed by {}",
            new.size,
            new.root,
            kept.len(),
            heads.display(),
            checkpoint.size,
            vkey.split('+').next().unwrap_or_default()
        );
        if kept.last().map(|k| k.head.size) != Some(new.size) {
            kept.push(Kept { head: new, signed, vkey: Some(vkey) });
        }
        if let Some(dir) = heads.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        super::card_file::write_atomic(&heads, &serde_json::to_vec_pretty(&kept)?)?;
        Ok(())
    }
}
