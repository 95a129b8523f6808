//! `myna card …`: the holder's tool for a software card, and the clerk's and hotline's
//! calls to J-LIS (application, issuance, suspension, lock reset).

use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use clap::{Args, Subcommand, ValueEnum};
use myna_pki::softcard::{CardStore, KdfParams, SoftCard};
use myna_pki::token::CardToken;
use myna_pki::{CardCert, CertKind, Secret, pem, sha256};
use serde_json::{Value, json};

use super::card_file::{self, FileStore};
use super::{CmdResult, default_state};

#[derive(Args, Clone)]
pub struct JlisArgs {
    /// J-LIS node URL.
    #[arg(long, default_value = "https://localhost:7443")]
    pub jlis: String,
    /// The network CA certificate that signed the nodes' TLS certificates.
    #[arg(long)]
    pub ca: Option<PathBuf>,
    /// Call J-LIS as this member of the network, by its certificate (in `<NAME>/` beside the
    /// CA certificate): a municipality's clerk system is `municipality:<local government code>`.
    /// The registry and the card counter answer only a municipality.
    #[arg(long = "as", value_name = "NAME")]
    pub caller: Option<String>,
}

/// The municipal clerk system the demo and the benchmarks call J-LIS as (千代田区).
pub const DEMO_MUNICIPALITY: &str = "municipality:131016";

impl JlisArgs {
    /// J-LIS at `jlis`, called as [`DEMO_MUNICIPALITY`], its certificate issued from the network
    /// CA beside `ca` (the demo holds the CA's key) if it has none yet.
    pub fn municipality(jlis: String, ca: PathBuf) -> Result<Self, Box<dyn std::error::Error>> {
        Self::member(jlis, ca, DEMO_MUNICIPALITY)
    }

    /// J-LIS at `jlis`, called as the network member `name` (its certificate issued from the
    /// network CA beside `ca` if it has none yet): the demo acts as each resident's own
    /// municipality, which alone keeps that resident's register.
    pub fn member(jlis: String, ca: PathBuf, name: &str) -> Result<Self, Box<dyn std::error::Error>> {
        let dir = ca.parent().unwrap_or(std::path::Path::new("."));
        myna_node::NodeIdentity::load_or_create(dir, name, &[])?;
        Ok(Self { jlis, ca: Some(ca), caller: Some(name.into()) })
    }

    /// The same J-LIS, called as the municipality that keeps the register of `lg_code`.
    pub fn as_municipality(&self, lg_code: &str) -> Result<Self, Box<dyn std::error::Error>> {
        let ca = self.ca.clone().ok_or("the network CA is needed to act as a municipality")?;
        Self::member(self.jlis.clone(), ca, &format!("municipality:{lg_code}"))
    }

    pub fn client(&self) -> Result<reqwest::Client, Box<dyn std::error::Error>> {
        let path = self.ca.clone().unwrap_or_else(|| default_state().join("network/ca.pem"));
        if let Some(name) = &self.caller {
            let dir = path.parent().unwrap_or(std::path::Path::new("."));
            let id = myna_node::NodeIdentity::load(dir, name).map_err(|e| format!("--as {name}: {e}"))?;
            return Ok(id.client()?);
        }
        let pem = std::fs::read(&path).map_err(|e| format!("{}: {e} (give --ca, the network CA)", path.display()))?;
        network_client(&pem)
    }

    pub async fn post(&self, path: &str, body: Value) -> Result<Value, Box<dyn std::error::Error>> {
        // Every write carries an idempotency key (the registry requires one for events).
        let key = hex::encode(&super::random_key()[..12]);
        let res = self
            .client()?
            .post(format!("{}{path}", self.jlis))
            .header("idempotency-key", key)
            .json(&body)
            .send()
            .await?;
        answer(res).await
    }
}

/// An HTTPS client that trusts only the network CA in `ca_pem`.
pub fn network_client(ca_pem: &[u8]) -> Result<reqwest::Client, Box<dyn std::error::Error>> {
    Ok(reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(ca_pem)?]).build()?)
}

pub(super) async fn answer(res: reqwest::Response) -> Result<Value, Box<dyn std::error::Error>> {
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let msg = v["error"]["message"].as_str().unwrap_or("no reason given");
        return Err(format!("{status}: {msg}").into());
    }
    Ok(v)
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Which {
    /// The 4-digit user-authentication PIN.
    Auth,
    /// The 6-16 character signing password.
    Sign,
}

impl Which {
    fn kind(self) -> CertKind {
        match self {
            Which::Auth => CertKind::UserAuth,
            Which::Sign => CertKind::Signing,
        }
    }
}

#[derive(Subcommand)]
pub enum CardCmd {
    /// 交付申請: apply for a card for a resident (clerk).
    Apply {
        /// 住民票コード.
        #[arg(long)]
        resident: String,
        #[command(flatten)]
        jlis: JlisArgs,
    },
    /// Issuance at the municipality: make the keys in a new card file, have J-LIS certify them,
    /// set the PIN and password (asked for, or MYNA_PIN / MYNA_PASSWORD).
    Issue {
        /// Card number from the application.
        #[arg(long)]
        card: String,
        /// Where the holder keeps the card file.
        #[arg(long)]
        out: PathBuf,
        /// Cheap key derivation (tests and demos only).
        #[arg(long, hide = true)]
        light: bool,
        #[command(flatten)]
        jlis: JlisArgs,
    },
    /// What is on the card: number, expiry, certificates, tries left. No PIN needed.
    Show {
        /// The card file; none with `--reader`.
        file: Option<PathBuf>,
        /// A PC/SC reader holding the card (`--reader ""`: the first one holding a card).
        #[arg(long)]
        reader: Option<String>,
    },
    /// The PC/SC readers, and which hold a card (a myna built with `--features pcsc`).
    Readers,
    /// 券面事項入力補助: the number and the 4 items J-LIS signed, after the card's 4-digit PIN
    /// (MYNA_PIN, or asked), printed as the card holds them (the intake checks J-LIS's signature).
    Face {
        /// The card file; none with `--reader`.
        file: Option<PathBuf>,
        #[arg(long)]
        reader: Option<String>,
    },
    /// Put the card in a virtual reader: it answers the chip's APDUs to Debian's
    /// vsmartcard-vpcd driver of pcscd, for any PC/SC program, until the driver lets go.
    Emulate {
        /// The card file; none with `--foreign`.
        #[arg(required_unless_present = "foreign")]
        file: Option<PathBuf>,
        /// The vpcd driver's TCP address (its reader.conf DEVICENAME port: 0x8C7B = 35963).
        #[arg(long, default_value = "127.0.0.1:35963")]
        vpcd: String,
        /// For testing reader programs: a card of another kind (a transit or bank card), which
        /// holds neither of the My Number Card's applications.
        #[arg(long, conflicts_with = "file")]
        foreign: bool,
        /// For testing reader programs: the card leaves the reader after answering this many
        /// commands, as one pulled out in the middle of an operation.
        #[arg(long)]
        remove_after: Option<usize>,
    },
    /// Change the PIN or the signing password (old one asked for, or MYNA_PIN/MYNA_PASSWORD;
    /// the new one MYNA_NEW_SECRET).
    ChangePin {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "auth")]
        which: Which,
    },
    /// Sign a file with the signing certificate; writes FILE.sig.json.
    Sign {
        /// The card file, then the document; or only the document, with `--reader`.
        file: PathBuf,
        /// The document to sign (when a card file comes first).
        document: Option<PathBuf>,
        /// A PC/SC reader holding the card (`--reader ""`: the first one holding a card).
        #[arg(long)]
        reader: Option<String>,
    },
    /// Check a signature file against J-LIS (chain, policy, revocation, signature).
    Verify {
        document: PathBuf,
        signature: PathBuf,
        #[command(flatten)]
        jlis: JlisArgs,
    },
    /// Log in to a service with the user-authentication certificate.
    Login {
        /// The card file; none with `--reader`.
        file: Option<PathBuf>,
        /// A PC/SC reader holding the card (a name from `myna card readers`); `--reader ""`
        /// takes the first one holding a card.
        #[arg(long)]
        reader: Option<String>,
        /// The service's URL (a verifier node, or the portal).
        #[arg(long)]
        service: String,
        /// Sign this challenge (as the portal's login page shows it) instead of asking the
        /// service for a new one: the browser showing it is logged in.
        #[arg(long)]
        challenge: Option<String>,
        #[command(flatten)]
        jlis: JlisArgs,
    },
    /// At a facility's reader (受付): sign the health node's challenge with the PIN, with the
    /// patient's consent, and print the eligibility the counter sees.
    Reception {
        /// The card file; none with `--reader`.
        file: Option<PathBuf>,
        /// A PC/SC reader holding the card (`--reader ""`: the first one holding a card).
        #[arg(long)]
        reader: Option<String>,
        /// The health node's facility API.
        #[arg(long, default_value = "https://localhost:7452")]
        health: String,
        /// The facility's `code:key` (or MYNA_FACILITY).
        #[arg(long, env = "MYNA_FACILITY")]
        facility: String,
        /// What the patient consents to share: any of checkups, medication, treatment, limit.
        #[arg(long, value_delimiter = ',')]
        consent: Vec<String>,
        /// Register the card for health insurance use now (利用登録).
        #[arg(long)]
        register: bool,
        #[command(flatten)]
        jlis: JlisArgs,
    },
    /// 24×365 hotline: suspend a lost card.
    Suspend {
        #[arg(long)]
        card: String,
        /// As the hotline (`--as jlis_hotline`): the operator's staff card (a card file), with
        /// its PIN (MYNA_PIN, or asked); the card's record names the operator.
        #[arg(long)]
        operator_card: Option<PathBuf>,
        #[command(flatten)]
        jlis: JlisArgs,
    },
    /// The holder suspends their own card with it: the user-authentication key signs the
    /// request after the PIN (MYNA_PIN, or asked).
    SuspendMine {
        /// The card file; none with `--reader`.
        file: Option<PathBuf>,
        #[arg(long)]
        reader: Option<String>,
        /// The card's number, printed on it (a card file knows its own; the chip's JPKI
        /// application does not say it).
        #[arg(long)]
        card: Option<String>,
        #[command(flatten)]
        jlis: JlisArgs,
    },
    /// Municipal reset of a locked PIN or password after an identity check.
    Reset {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "auth")]
        which: Which,
        /// The clerk who checked the holder's identity.
        #[arg(long)]
        clerk: String,
        /// The document checked (e.g. 運転免許証).
        #[arg(long)]
        document: String,
        #[command(flatten)]
        jlis: JlisArgs,
    },
}

/// The secret from the environment (scripts, tests) or asked on the terminal without echo.
fn secret(kind: CertKind, env: &str, prompt: &str) -> Result<Secret, Box<dyn std::error::Error>> {
    let value = match std::env::var(env) {
        Ok(v) => v,
        Err(_) => rpassword::prompt_password(format!("{prompt}: "))?,
    };
    Ok(Secret::new(kind, value.trim())?)
}

fn env_for(kind: CertKind) -> &'static str {
    match kind {
        CertKind::UserAuth => "MYNA_PIN",
        CertKind::Signing => "MYNA_PASSWORD",
    }
}

fn prompt_for(kind: CertKind) -> &'static str {
    match kind {
        CertKind::UserAuth => "user-authentication PIN (4 digits)",
        CertKind::Signing => "signing password (6-16 upper-case letters and digits)",
    }
}

fn ask(kind: CertKind) -> Result<Secret, Box<dyn std::error::Error>> {
    secret(kind, env_for(kind), prompt_for(kind))
}

/// The user-authentication PIN (MYNA_PIN, or asked).
pub(super) fn ask_pin() -> Result<Secret, Box<dyn std::error::Error>> {
    ask(CertKind::UserAuth)
}

/// The card's answer to a login challenge: its user-authentication certificate and its
/// signature over the challenge, after the PIN (the body of `POST /v1/login`).
pub(super) fn login_body(
    card: &mut super::card_source::Held,
    challenge: &str,
    pin: &Secret,
) -> Result<Value, Box<dyn std::error::Error>> {
    let cert = card.certificate(CertKind::UserAuth)?;
    let sig = card.sign(pin, &myna_pki::login::Challenge::parse(challenge)?.digest())?;
    Ok(
        json!({"challenge": challenge, "certificate": Base64::encode_string(&cert.der), "signature": Base64::encode_string(&sig)}),
    )
}

pub(super) fn certificate(card: &SoftCard<FileStore>, kind: CertKind) -> Result<CardCert, Box<dyn std::error::Error>> {
    let pem =
        card.certificate(kind).ok_or_else(|| format!("the {kind} certificate has not been issued to this card"))?;
    Ok(CardCert::parse(pem.as_bytes())?)
}

/// Issues a card for `number` into a new card kept by `store`, with the given secrets.
pub async fn issue_into<S: CardStore>(
    jlis: &JlisArgs,
    number: &str,
    store: S,
    password: &Secret,
    pin: &Secret,
    kdf: KdfParams,
) -> Result<SoftCard<S>, Box<dyn std::error::Error>> {
    let (mut card, new) = SoftCard::create(password, pin, kdf, store)?;
    let reset = hex::encode(new.reset_key);
    let body = json!({
        "signing_csr": pem("CERTIFICATE REQUEST", &new.signing_csr),
        "user_auth_csr": pem("CERTIFICATE REQUEST", &new.user_auth_csr),
        "reset_key": reset,
    });
    let issued = jlis.post(&format!("/v1/cards/{number}/issue"), body).await?;
    let certs = issued["certificates"].as_array().cloned().unwrap_or_default();
    let find = |k: &str| certs.iter().find(|c| c["kind"] == k).and_then(|c| c["pem"].as_str()).map(str::to_owned);
    let expires =
        issued["expires"].as_str().and_then(|d| myna_registry::parse_date(d).ok()).ok_or("J-LIS sent no expiry")?;
    card.install(
        number,
        expires,
        &find("sign").ok_or("no signing certificate")?,
        &find("auth").ok_or("no user-authentication certificate")?,
    )?;
    // 券面事項入力補助: behind the same 4 digits as the user-authentication PIN, as most
    // holders choose at the counter.
    if let Some(face) = issued["face"].as_str() {
        card.write_face(pin, face)?;
    }
    Ok(card)
}

/// Issues a card for `number` into a new card file at `out` (never overwriting one).
pub async fn issue(
    jlis: &JlisArgs,
    number: &str,
    out: &Path,
    password: &Secret,
    pin: &Secret,
    kdf: KdfParams,
) -> CmdResult {
    if out.exists() {
        return Err(format!("{} exists; a card file is never overwritten", out.display()).into());
    }
    if let Err(e) = issue_into(jlis, number, FileStore::new(out), password, pin, kdf).await {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(())
}

impl CardCmd {
    pub async fn run(self) -> CmdResult {
        match self {
            CardCmd::Apply { resident, jlis } => {
                let v = jlis.post("/v1/cards/applications", json!({"resident": resident})).await?;
                println!(
                    "card {} applied for (status {})",
                    v["card"].as_str().unwrap_or("?"),
                    v["status"].as_str().unwrap_or("?")
                );
            }
            CardCmd::Issue { card, out, light, jlis } => {
                let password = ask(CertKind::Signing)?;
                let pin = ask(CertKind::UserAuth)?;
                let kdf = if light { KdfParams::LIGHT } else { KdfParams::default() };
                issue(&jlis, &card, &out, &password, &pin, kdf).await?;
                println!("card {card} issued into {}", out.display());
            }
            CardCmd::Face { file, reader } => {
                let mut card = super::card_source::Held::open(file.as_deref(), reader.as_deref())?;
                let signed = card.face(&ask(CertKind::UserAuth)?)?;
                let payload = signed
                    .split('.')
                    .nth(1)
                    .and_then(|p| base64ct::Base64UrlUnpadded::decode_vec(p).ok())
                    .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                    .ok_or("the card's face data is not a JWS")?;
                println!("{}", serde_json::to_string_pretty(&payload)?);
            }
            CardCmd::Readers => {
                for (name, card) in super::card_source::readers()? {
                    println!("{name}\t{}", if card { "card present" } else { "empty" });
                }
            }
            CardCmd::Emulate { file, vpcd, foreign, remove_after } => {
                let chip = match file {
                    Some(f) if !foreign => super::card_emulate::Chip::card(&f)?,
                    _ => super::card_emulate::Chip::Foreign,
                };
                super::card_emulate::serve(chip, &vpcd, remove_after)?
            }
            CardCmd::Show { file, reader } => {
                let mut card = super::card_source::Held::open(file.as_deref(), reader.as_deref())?;
                println!("{}", card.number().unwrap_or_else(|| "card in the reader".into()));
                for kind in CertKind::ALL {
                    println!("{kind}: {} of {} tries left", card.tries_left(kind)?, kind.max_tries());
                    if let Ok(c) = card.certificate(kind) {
                        println!(
                            "  serial {}  until {}  subject {}",
                            c.serial,
                            myna_pki::time::show(c.not_after),
                            c.subject()
                        );
                        if let Some(h) = &c.holder {
                            println!("  {}  {}  sex {}  {}", h.name, h.birth, h.sex.code(), h.address);
                        }
                    }
                }
            }
            CardCmd::ChangePin { file, which } => {
                let kind = which.kind();
                let mut card = card_file::open(&file)?;
                let old = ask(kind)?;
                let new = secret(kind, "MYNA_NEW_SECRET", &format!("new {}", prompt_for(kind)))?;
                card.change_secret(&old, &new)?;
                println!("{} changed", kind.secret_name());
            }
            CardCmd::Sign { file, document, reader } => {
                let (card_file, document) = match document {
                    Some(d) => (Some(file), d),
                    None => (None, file),
                };
                let mut card = super::card_source::Held::open(card_file.as_deref(), reader.as_deref())?;
                let bytes = std::fs::read(&document).map_err(|e| format!("{}: {e}", document.display()))?;
                let cert = card.certificate(CertKind::Signing)?;
                let sig = card.sign(&ask(CertKind::Signing)?, &sha256(&bytes))?;
                let out = document.with_extension("sig.json");
                let v =
                    json!({"certificate": Base64::encode_string(&cert.der), "signature": Base64::encode_string(&sig)});
                std::fs::write(&out, serde_json::to_vec_pretty(&v)?)?;
                println!("signed: {}", out.display());
            }
            CardCmd::Verify { document, signature, jlis } => {
                let bytes = std::fs::read(&document).map_err(|e| format!("{}: {e}", document.display()))?;
                let sig: Value = serde_json::from_slice(&std::fs::read(&signature)?)?;
                let v = jlis
                    .post("/v1/jpki/verify", json!({"certificate": sig["certificate"], "signature": sig["signature"], "message": Base64::encode_string(&bytes), "purpose": "sign"}))
                    .await?;
                if v["valid"] == true {
                    let h = &v["holder"];
                    println!(
                        "valid: signed by {} (born {}), certificate {} ({})",
                        h["name"].as_str().unwrap_or("?"),
                        h["birth"].as_str().unwrap_or("?"),
                        v["serial"].as_str().unwrap_or("?"),
                        v["status"].as_str().unwrap_or("?")
                    );
                } else {
                    return Err(format!("not valid: {}", v["reason"].as_str().unwrap_or("?")).into());
                }
            }
            CardCmd::Login { file, reader, service, challenge, jlis } => {
                let mut card = super::card_source::Held::open(file.as_deref(), reader.as_deref())?;
                let client = jlis.client()?;
                let text = match challenge {
                    Some(c) => c,
                    None => {
                        let c = answer(client.post(format!("{service}/v1/login/challenge")).send().await?).await?;
                        c["challenge"].as_str().ok_or("the service sent no challenge")?.to_string()
                    }
                };
                let text = text.as_str();
                println!("challenge from {}: {text}", myna_pki::login::Challenge::parse(text)?.service);
                let body = login_body(&mut card, text, &ask(CertKind::UserAuth)?)?;
                let s = answer(client.post(format!("{service}/v1/login")).json(&body).send().await?).await?;
                if let Some(p) = s["pseudonym"].as_str() {
                    println!("logged in as {p}");
                }
                println!("session until {}", myna_pki::time::show(s["expires"].as_i64().unwrap_or(0)));
                println!("session: {}", s["session"].as_str().unwrap_or("?"));
            }
            CardCmd::Reception { file, reader, health, facility, consent, register, jlis } => {
                let mut card = super::card_source::Held::open(file.as_deref(), reader.as_deref())?;
                let client = jlis.client()?;
                let c = answer(
                    client.post(format!("{health}/v1/reception/challenge")).bearer_auth(&facility).send().await?,
                )
                .await?;
                let text = c["challenge"].as_str().ok_or("the health node sent no challenge")?.to_string();
                let mut body = login_body(&mut card, &text, &ask(CertKind::UserAuth)?)?;
                let mut choices = serde_json::Map::new();
                for c in &consent {
                    if !["checkups", "medication", "treatment", "limit"].contains(&c.as_str()) {
                        return Err(format!("--consent takes checkups, medication, treatment, limit; not {c:?}").into());
                    }
                    choices.insert(c.clone(), json!(true));
                }
                body["method"] = json!("pin");
                body["consent"] = Value::Object(choices);
                body["register"] = json!(register);
                let v = answer(
                    client.post(format!("{health}/v1/reception")).bearer_auth(&facility).json(&body).send().await?,
                )
                .await?;
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
            CardCmd::Suspend { card, operator_card, jlis } => {
                let client = jlis.client()?;
                let mut req = client.post(format!("{}/v1/cards/{card}/suspend", jlis.jlis)).json(&json!({}));
                if let Some(file) = operator_card {
                    let mut staff = super::card_source::Held::file(&file)?;
                    let c = answer(client.post(format!("{}/v1/staff/challenge", jlis.jlis)).send().await?).await?;
                    let challenge = c["challenge"].as_str().ok_or("J-LIS sent no challenge")?;
                    let body = login_body(&mut staff, challenge, &ask(CertKind::UserAuth)?)?;
                    let s =
                        answer(client.post(format!("{}/v1/staff/login", jlis.jlis)).json(&body).send().await?).await?;
                    eprintln!(
                        "signed in as {} ({})",
                        s["staff"]["name"].as_str().unwrap_or("?"),
                        s["staff"]["account"].as_str().unwrap_or("?")
                    );
                    req = req.bearer_auth(s["session"].as_str().ok_or("J-LIS opened no session")?);
                }
                let v = answer(req.send().await?).await?;
                println!(
                    "card {card} is {} (by {}); its certificates are on hold",
                    v["status"].as_str().unwrap_or("?"),
                    v["status_by"].as_str().unwrap_or("?")
                );
            }
            CardCmd::SuspendMine { file, reader, card: number, jlis } => {
                let mut card = super::card_source::Held::open(file.as_deref(), reader.as_deref())?;
                let number = number.or_else(|| card.card_number()).ok_or(if file.is_some() {
                    "this card file has no card number"
                } else {
                    "name the card's number (--card), as printed on it"
                })?;
                let statement = format!("myna-suspend/1:{number}:{}", myna_node::now_secs());
                let cert = card.certificate(CertKind::UserAuth)?;
                let digest = myna_pki::sha256(statement.as_bytes());
                let sig = card.sign(&ask(CertKind::UserAuth)?, &digest)?;
                let body = json!({"statement": statement, "certificate": Base64::encode_string(&cert.der), "signature": Base64::encode_string(&sig)});
                let v = answer(
                    jlis.client()?
                        .post(format!("{}/v1/cards/{number}/holder-suspend", jlis.jlis))
                        .json(&body)
                        .send()
                        .await?,
                )
                .await?;
                println!(
                    "your card {number} is {}; its certificates are on hold until your municipality resumes it",
                    v["status"].as_str().unwrap_or("?")
                );
            }
            CardCmd::Reset { file, which, clerk, document, jlis } => {
                let mut card = card_file::open(&file)?;
                let number = card.file().card_number.clone().ok_or("this card file has no card number")?;
                let v = jlis
                    .post(&format!("/v1/cards/{number}/reset-key"), json!({"clerk": clerk, "document": document}))
                    .await?;
                let hex = v["reset_key"].as_str().ok_or("J-LIS sent no reset key")?;
                let mut key = [0u8; 32];
                hex::decode_to_slice(hex, &mut key).map_err(|_| "J-LIS sent a malformed reset key")?;
                let kind = which.kind();
                let new = secret(kind, "MYNA_NEW_SECRET", &format!("new {}", prompt_for(kind)))?;
                card.reset(&key, &new)?;
                println!("{} reset; {} tries", kind.secret_name(), kind.max_tries());
            }
        }
        Ok(())
    }
}
