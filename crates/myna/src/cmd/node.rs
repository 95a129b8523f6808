use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use clap::Subcommand;
use myna_jlis::store::RegistryStore;
use myna_node::NodeIdentity;
use myna_store::Db;

use super::{CmdResult, country::DEPOSIT_INSURANCE, default_state, population::db_url, random_key};

#[derive(Subcommand)]
pub enum NodeCmd {
    /// The resident registry (J-LIS): events, 4-item lookup, number verification.
    Jlis {
        /// Database: sqlite://PATH (default .myna/jlis.db) or postgres://…
        #[arg(long)]
        db: Option<String>,
        #[arg(long, default_value = "127.0.0.1:7443")]
        listen: SocketAddr,
        /// Folder of the network CA and node certificates (default .myna/network).
        #[arg(long)]
        network: Option<PathBuf>,
        /// The linkage hub, for agencies' code acquisition (符号取得).
        #[arg(long)]
        hub: Option<String>,
    },
    /// The linkage hub (情報提供ネットワークシステム): permission checks, code translation,
    /// the transparency log. Mutual TLS: only nodes of the network connect.
    Hub {
        /// Database: sqlite://PATH (default .myna/hub.db) or postgres://…
        #[arg(long)]
        db: Option<String>,
        #[arg(long, default_value = "127.0.0.1:7445")]
        listen: SocketAddr,
        #[arg(long)]
        network: Option<PathBuf>,
        /// J-LIS, where the portal's residents' login proofs are checked (without it the hub
        /// answers no self-information).
        #[arg(long)]
        jlis: Option<String>,
    },
    /// An agency's node (中間サーバー): its copies, answers to the hub, its clerks' queries.
    Agency {
        /// The agency's id, its certificate's name: KIND or KIND:LOCAL (municipality:131016,
        /// pension_service, health_insurer:01130012 …).
        #[arg(long)]
        id: String,
        /// Its name, for the hub's directory.
        #[arg(long)]
        name: String,
        /// Database: sqlite://PATH (default .myna/<id>.db) or postgres://…
        #[arg(long)]
        db: Option<String>,
        #[arg(long, default_value = "127.0.0.1:7446")]
        listen: SocketAddr,
        #[arg(long, default_value = "https://localhost:7445")]
        hub: String,
        #[arg(long, default_value = "https://localhost:7443")]
        jlis: String,
        #[arg(long)]
        network: Option<PathBuf>,
        /// A municipality's benefit system (給付システム), in this process: where it listens.
        #[arg(long)]
        benefits: Option<SocketAddr>,
        /// The portal's public origin, for the links in the benefit system's notices.
        #[arg(long, default_value = "https://localhost:7450")]
        portal: String,
        /// A folder of card files for the municipality's counter reader (testing only); its
        /// staff cards are in the folder `staff` beside it.
        #[arg(long)]
        cards: Option<PathBuf>,
        /// 預金保険機構's banks, CODE=URL each (agency deposit_insurance only).
        #[arg(long = "bank", value_name = "CODE=URL")]
        banks: Vec<String>,
    },
    /// A bank's system: links customers' accounts to their numbers for 預金保険機構.
    Bank {
        /// Its code (全銀協 統一金融機関コード); its certificate is bank:CODE.
        #[arg(long)]
        code: String,
        /// Database: sqlite://PATH (default .myna/bank-CODE.db) or postgres://…
        #[arg(long)]
        db: Option<String>,
        #[arg(long, default_value = "127.0.0.1:7480")]
        listen: SocketAddr,
        #[arg(long)]
        network: Option<PathBuf>,
    },
    /// A store's multi-copy machine (コンビニ交付), through J-LIS's issuance centre.
    Kiosk {
        /// Its certificate's name (kiosk:…).
        #[arg(long, default_value = "kiosk:store-0001")]
        id: String,
        #[arg(long, default_value = "127.0.0.1:7482")]
        listen: SocketAddr,
        #[arg(long, default_value = "https://localhost:7443")]
        jlis: String,
        /// The folder of card files its reader holds (testing only).
        #[arg(long)]
        cards: PathBuf,
        #[arg(long)]
        network: Option<PathBuf>,
    },
    /// A relying party (利用者証明検証者): card holders log in with their user-authentication
    /// certificate; revocation from J-LIS's CRL, refreshed every minute.
    Verifier {
        /// This service's origin, written into its challenges.
        #[arg(long, default_value = "https://localhost:7444")]
        service: String,
        /// J-LIS node URL.
        #[arg(long, default_value = "https://localhost:7443")]
        jlis: String,
        #[arg(long, default_value = "127.0.0.1:7444")]
        listen: SocketAddr,
        #[arg(long)]
        network: Option<PathBuf>,
    },
    /// Myna Portal (マイナポータル): the residents' site, the clerks' applications, the
    /// self-information API; and its linkage node (kind portal).
    Portal {
        /// Database: sqlite://PATH (default .myna/portal.db) or postgres://…
        #[arg(long)]
        db: Option<String>,
        /// Where the web site listens.
        #[arg(long, default_value = "127.0.0.1:7450")]
        listen: SocketAddr,
        /// Where its linkage node listens (the hub delivers notices there).
        #[arg(long, default_value = "127.0.0.1:7451")]
        node: SocketAddr,
        /// Its public origin, written into login challenges and the OpenID issuer.
        #[arg(long, default_value = "https://localhost:7450")]
        public_url: String,
        #[arg(long, default_value = "https://localhost:7445")]
        hub: String,
        #[arg(long, default_value = "https://localhost:7443")]
        jlis: String,
        /// A folder of card files for the demo card-reader page (testing only).
        #[arg(long = "cards", alias = "demo-cards")]
        demo_cards: Option<PathBuf>,
        #[arg(long)]
        network: Option<PathBuf>,
    },
    /// The health node (オンライン資格確認等システム, PMH): facility API and reception, and its
    /// linkage node (kind health) where insurers' eligibility and PMH records arrive.
    Health {
        /// Database: sqlite://PATH (default .myna/health.db) or postgres://…
        #[arg(long)]
        db: Option<String>,
        /// Where the facility API listens.
        #[arg(long, default_value = "127.0.0.1:7452")]
        listen: SocketAddr,
        /// Where its linkage node listens (the hub delivers pushes there).
        #[arg(long, default_value = "127.0.0.1:7453")]
        node: SocketAddr,
        #[arg(long, default_value = "https://localhost:7445")]
        hub: String,
        #[arg(long, default_value = "https://localhost:7443")]
        jlis: String,
        /// A folder of card files for the reception page's demo reader (testing only).
        #[arg(long = "cards", alias = "demo-cards")]
        demo_cards: Option<PathBuf>,
        #[arg(long)]
        network: Option<PathBuf>,
    },
}

/// Where the health node's operator token is written: beside its certificate.
pub fn health_token_path(network: &std::path::Path) -> PathBuf {
    network.join(myna_healthnode::HEALTH_ID).join("operator.token")
}

/// Starts the health node and its linkage node, and writes the operator token (owner-only).
pub async fn start_health(
    network: &std::path::Path,
    db: Option<String>,
    api: SocketAddr,
    node: SocketAddr,
    hub: &str,
    jlis: &str,
    demo_cards: Option<PathBuf>,
) -> Result<myna_healthnode::Started, Box<dyn std::error::Error>> {
    let identity = NodeIdentity::load_or_create(network, myna_healthnode::HEALTH_ID, &[])?;
    // The demo's staff cards sit beside its residents' cards.
    let staff_cards = demo_cards.as_ref().map(|dir| {
        std::sync::Arc::new(super::card_reader::FolderCards { dir: dir.with_file_name("staff") })
            as std::sync::Arc<dyn myna_pki::reader::CardReader>
    });
    let cards = demo_cards.map(|dir| {
        (
            std::sync::Arc::new(super::card_reader::FolderCards { dir })
                as std::sync::Arc<dyn myna_pki::reader::CardReader>,
            super::card_reader::DEMO_PIN.to_string(),
        )
    });
    let config = myna_healthnode::HealthConfig { jlis_url: jlis.into(), hub_url: hub.into(), cards, staff_cards };
    let started =
        myna_healthnode::start(Db::open(&db_url(db, "health.db")).await?, &identity, api, node, config).await?;
    myna_node::write_private(&health_token_path(network), &started.operator_token)?;
    Ok(started)
}

/// Where the portal's operator token is written: beside its certificate.
pub fn operator_token_path(network: &std::path::Path) -> PathBuf {
    network.join(myna_portal::PORTAL_ID).join("operator.token")
}

/// Starts the portal and its linkage node, and writes the operator token (owner-only).
#[allow(clippy::too_many_arguments)]
pub async fn start_portal(
    network: &std::path::Path,
    db: Option<String>,
    web: SocketAddr,
    node: SocketAddr,
    public_url: &str,
    hub: &str,
    jlis: &str,
    demo_cards: Option<PathBuf>,
) -> Result<myna_portal::Started, Box<dyn std::error::Error>> {
    let identity = NodeIdentity::load_or_create(network, myna_portal::PORTAL_ID, &[])?;
    let cards: Option<std::sync::Arc<dyn myna_pki::reader::CardReader>> =
        demo_cards.map(|dir| std::sync::Arc::new(super::card_reader::FolderCards { dir }) as _);
    let config =
        myna_portal::PortalConfig { jlis_url: jlis.into(), hub_url: hub.into(), public_url: public_url.into(), cards };
    let started = myna_portal::start(Db::open(&db_url(db, "portal.db")).await?, &identity, web, node, config).await?;
    myna_node::write_private(&operator_token_path(network), &started.operator_token)?;
    Ok(started)
}

/// Starts a verifier that trusts the JPKI authority at `jlis` and follows its CRL.
pub async fn start_verifier(
    service: &str,
    jlis: &str,
    network: &std::path::Path,
    listen: SocketAddr,
) -> Result<myna_node::RunningNode, Box<dyn std::error::Error>> {
    let identity = NodeIdentity::load_or_create(network, "verifier", &[])?;
    let client = super::card::network_client(identity.ca_pem.as_bytes())?;
    let trust = myna_rp::fetch_trust(&client, jlis).await?;
    let svc = std::sync::Arc::new(myna_rp::Service::new(service, trust, &random_key(), jlis));
    svc.crl.refresh(&client, svc.trust()).await?;
    svc.spawn_refresh(client, std::time::Duration::from_secs(60));
    Ok(myna_rp::start(svc, &identity, listen).await?)
}

impl NodeCmd {
    pub async fn run(self) -> CmdResult {
        let (db, listen, network, hub) = match self {
            NodeCmd::Jlis { db, listen, network, hub } => (db, listen, network, hub),
            NodeCmd::Hub { db, listen, network, jlis } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let identity = NodeIdentity::load_or_create(&network, myna_linkage::hub::HUB_ID, &[])?;
                let (node, hub) =
                    myna_linkage::hub::start(Db::open(&db_url(db, "hub.db")).await?, &identity, listen).await?;
                if let Some(j) = jlis {
                    let _ = hub.jlis.set(j.trim_end_matches('/').to_string());
                }
                println!("hub listening on {} (mutual TLS, CA: {})", node.url(), network.join("ca.pem").display());
                return wait(node).await;
            }
            NodeCmd::Agency { id, name, db, listen, hub, jlis, network, benefits, portal, cards, banks } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let url = db_url(db, &format!("{}.db", id.replace(':', "-")));
                let db = Some(url.clone());
                if benefits.is_some() && !id.starts_with("municipality:") {
                    return Err("--benefits: only a municipality runs a benefit system".into());
                }
                if !banks.is_empty() && id != DEPOSIT_INSURANCE {
                    return Err(format!("--bank: only {DEPOSIT_INSURANCE} asks banks").into());
                }
                let mut beside = None;
                // A municipality's node takes residents' replies and move applications too.
                let started = if id.starts_with("municipality:") {
                    let m = start_municipality(&network, &id, &name, db.clone(), listen, (&hub, &jlis)).await?;
                    if let Some(c) = &cards {
                        m.desk.set_reader(Arc::new(super::card_reader::FolderCards { dir: c.clone() }));
                    }
                    if let Some(b) = benefits {
                        let staff = cards.as_ref().map(|c| c.with_file_name("staff"));
                        let s = super::roles::start_benefits(&network, &m, &url, b, &portal, staff.as_deref()).await?;
                        println!("benefit system of {name} listening on {}", s.node.url());
                        beside = Some(s);
                    }
                    m.started
                } else if id == DEPOSIT_INSURANCE {
                    let banks = banks
                        .iter()
                        .map(|b| b.split_once('=').map(|(c, u)| (c.to_string(), u.to_string())))
                        .collect::<Option<Vec<_>>>()
                        .ok_or("--bank takes CODE=URL")?;
                    super::roles::start_deposit_insurance(&network, &name, &url, listen, (&hub, &jlis), banks)
                        .await?
                        .agency
                } else if id == myna_qualifications::ID {
                    start_qualifications(&network, &name, db, listen, (&hub, &jlis)).await?.agency
                } else if id == myna_population::livelihood::Holder::AccountRegistry.agency_id() {
                    start_account_registry(&network, &id, &name, db, listen, &hub, &jlis).await?.agency
                } else {
                    start_agency(&network, &id, &name, db, listen, &hub, &jlis).await?
                };
                println!(
                    "agency {id} ({name}) listening on {}; clerk token in {}",
                    started.node.url(),
                    token_path(&network, &id).display()
                );
                let waited = wait(started.node).await;
                drop(beside);
                return waited;
            }
            NodeCmd::Portal { db, listen, node, public_url, hub, jlis, demo_cards, network } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let started = start_portal(&network, db, listen, node, &public_url, &hub, &jlis, demo_cards).await?;
                println!(
                    "portal {public_url} (listening on {}; linkage node {}); operator token in {}",
                    started.web.url(),
                    started.node.url(),
                    operator_token_path(&network).display()
                );
                return wait(started.web).await;
            }
            NodeCmd::Health { db, listen, node, hub, jlis, demo_cards, network } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let started = start_health(&network, db, listen, node, &hub, &jlis, demo_cards).await?;
                println!(
                    "health node {} (linkage node {}); operator token in {}",
                    started.api.url(),
                    started.node.url(),
                    health_token_path(&network).display()
                );
                return wait(started.api).await;
            }
            NodeCmd::Bank { code, db, listen, network } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let (node, _) =
                    super::roles::start_bank(&network, &code, &db_url(db, &format!("bank-{code}.db")), listen).await?;
                println!("bank:{code} listening on {}", node.url());
                return wait(node).await;
            }
            NodeCmd::Kiosk { id, listen, jlis, cards, network } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let node = super::roles::start_kiosk(&network, &id, listen, &jlis, &cards).await?;
                println!("kiosk {id} listening on {}", node.url());
                return wait(node).await;
            }
            NodeCmd::Verifier { service, jlis, listen, network } => {
                let network = network.unwrap_or_else(|| default_state().join("network"));
                let node = start_verifier(&service, &jlis, &network, listen).await?;
                println!("verifier {service} listening on {}", node.url());
                return wait(node).await;
            }
        };
        let network = network.unwrap_or_else(|| default_state().join("network"));
        let identity = NodeIdentity::load_or_create(&network, "jlis", &[])?;
        let store = RegistryStore::open(Db::open(&db_url(db, "jlis.db")).await?, random_key).await?;
        let node = myna_jlis::start_with_hub(store, &identity, listen, hub.as_deref()).await?;
        println!("jlis listening on {} (CA: {})", node.url(), network.join("ca.pem").display());
        wait(node).await
    }
}

async fn wait(node: myna_node::RunningNode) -> CmdResult {
    // SIGTERM is how a supervisor (`myna country down`, systemd) stops a node; every write
    // acknowledged is already durable, so stopping is just leaving.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = node.wait() => r?,
        _ = tokio::signal::ctrl_c() => println!("stopping"),
        _ = term.recv() => println!("stopping (SIGTERM)"),
    }
    Ok(())
}

/// Where an agency node's clerk token is written: beside its certificate.
pub fn token_path(network: &std::path::Path, id: &str) -> PathBuf {
    network.join(id).join("clerk.token")
}

/// Starts an agency node and writes its clerk token (owner-only) beside its certificate.
/// What every agency node starts from: its identity in the network folder, its config, and
/// its database (by default `<state>/<id>.db`).
async fn agency_parts(
    network: &std::path::Path,
    (id, name): (&str, &str),
    db: Option<String>,
    hub: &str,
    jlis: &str,
) -> Result<(NodeIdentity, myna_linkage::agency::AgencyConfig, Db), Box<dyn std::error::Error>> {
    let identity = NodeIdentity::load_or_create(network, id, &[])?;
    let config = myna_linkage::agency::AgencyConfig {
        name: name.into(),
        hub_url: hub.into(),
        jlis_url: jlis.into(),
        login_service: None,
    };
    let db = Db::open(&db_url(db, &format!("{}.db", id.replace(':', "-")))).await?;
    Ok((identity, config, db))
}

/// [`start_agency`] for the public-fund account registry (its answers from its own table).
pub async fn start_account_registry(
    network: &std::path::Path,
    id: &str,
    name: &str,
    db: Option<String>,
    listen: SocketAddr,
    hub: &str,
    jlis: &str,
) -> Result<myna_accounts::Started, Box<dyn std::error::Error>> {
    let (identity, config, db) = agency_parts(network, (id, name), db, hub, jlis).await?;
    let started = myna_accounts::start(db, &identity, listen, config).await?;
    myna_node::write_private(&token_path(network, id), &started.agency.clerk_token)?;
    Ok(started)
}

/// [`start_agency`] for the qualification system (国家資格等情報連携・活用システム): its
/// examinations, applications, registrations and credentials beside its linkage node.
pub async fn start_qualifications(
    network: &std::path::Path,
    name: &str,
    db: Option<String>,
    listen: SocketAddr,
    (hub, jlis): (&str, &str),
) -> Result<myna_qualifications::Started, Box<dyn std::error::Error>> {
    let id = myna_qualifications::ID;
    let (identity, config, db) = agency_parts(network, (id, name), db, hub, jlis).await?;
    let started = myna_qualifications::start(db, &identity, listen, config).await?;
    myna_node::write_private(&token_path(network, id), &started.agency.clerk_token)?;
    Ok(started)
}

/// A municipality's agency node, started, with what its benefit system takes.
pub struct Municipality {
    pub id: String,
    pub started: myna_linkage::agency::Started,
    /// Where its benefit system, once started, puts itself for the node's inbox.
    pub cell: myna_benefits::routes::Cell,
    pub desk: Arc<myna_moving::Moving>,
}

/// [`start_agency`] for a municipality: its node also takes residents' replies (a benefit
/// declined, from the portal) for its benefit system, which starts later and fills `Cell`,
/// and their move applications for its moving desk, opened here.
pub async fn start_municipality(
    network: &std::path::Path,
    id: &str,
    name: &str,
    db: Option<String>,
    listen: SocketAddr,
    (hub, jlis): (&str, &str),
) -> Result<Municipality, Box<dyn std::error::Error>> {
    let (identity, config, db) = agency_parts(network, (id, name), db, hub, jlis).await?;
    let cell = myna_benefits::routes::Cell::default();
    let moving = myna_moving::Cell::default();
    let (inbox, desk) = (cell.clone(), moving.clone());
    let started = myna_linkage::agency::start_with(db.clone(), &identity, listen, config, move |a| {
        myna_benefits::routes::inbox(inbox, desk, a)
    })
    .await?;
    myna_node::write_private(&token_path(network, id), &started.clerk_token)?;
    // The moving desk: its own table beside the agency's, J-LIS called as the municipality.
    let here = id.strip_prefix("municipality:").unwrap_or(id);
    let desk =
        Arc::new(myna_moving::Moving::open(db, started.agency.clone(), identity.client()?, jlis, (here, name)).await?);
    let _ = moving.set(desk.clone());
    // Reservations whose notice lapsed are closed, and their residents told, every hour.
    let sweeper = desk.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweeper.sweep_lapsed(myna_node::today_jst()).await {
                tracing::warn!(error = %e, "the lapsed move reservations could not be closed; next hour again");
            }
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
        }
    });
    Ok(Municipality { id: id.to_string(), started, cell, desk })
}

pub async fn start_agency(
    network: &std::path::Path,
    id: &str,
    name: &str,
    db: Option<String>,
    listen: SocketAddr,
    hub: &str,
    jlis: &str,
) -> Result<myna_linkage::agency::Started, Box<dyn std::error::Error>> {
    let (identity, config, db) = agency_parts(network, (id, name), db, hub, jlis).await?;
    let started = myna_linkage::agency::start(db, &identity, listen, config).await?;
    myna_node::write_private(&token_path(network, id), &started.clerk_token)?;
    Ok(started)
}
