//! The country file: which organizations' nodes run, where each listens, which database each
//! keeps. Checked whole before anything starts, each mistake named with the node it is in.
//!
//! ```toml
//! state = "state"                # every organization's folder, beside this file
//!
//! [[node]]
//! name = "jlis"                  # its folder, log and line in `myna country status`
//! kind = "jlis"
//! listen = "127.0.0.1:7443"
//! db = "postgres://…"            # default: sqlite in its folder
//!
//! [[node]]
//! name = "chiyoda"
//! kind = "agency"
//! id = "municipality:131016"     # its certificate's name
//! display = "千代田区"
//! listen = "127.0.0.1:7446"
//! benefits = "127.0.0.1:7475"    # a municipality's benefit system (給付システム), in its process
//!
//! [[node]]
//! name = "bank-0005"
//! kind = "bank"                  # a bank's system; 預金保険機構 (agency deposit_insurance) asks
//! code = "0005"                  # every bank of the file
//! listen = "127.0.0.1:7480"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    state: PathBuf,
    #[serde(rename = "node", default)]
    nodes: Vec<RawNode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    name: String,
    kind: String,
    listen: SocketAddr,
    db: Option<String>,
    /// An agency's certificate name.
    id: Option<String>,
    /// An agency's name in the hub's directory.
    display: Option<String>,
    /// The portal's and the health node's linkage node.
    node: Option<SocketAddr>,
    /// The portal's public origin.
    public_url: Option<String>,
    /// A municipality's benefit system.
    benefits: Option<SocketAddr>,
    /// A bank's code (全銀協 統一金融機関コード).
    code: Option<String>,
    /// A folder of card files for a demo card reader (testing only).
    cards: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum CountryFileError {
    #[error("{0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Syntax(PathBuf, Box<toml::de::Error>),
    #[error("node {node:?}: kind {kind:?} is not one of jlis, hub, agency, verifier, portal, health, bank, kiosk")]
    UnknownKind { node: String, kind: String },
    #[error("node {node:?} ({kind}) needs `{field}`")]
    Missing { node: String, kind: &'static str, field: &'static str },
    #[error("node {node:?} ({kind}) takes no `{field}`")]
    Extra { node: String, kind: &'static str, field: &'static str },
    #[error("two nodes are named {0:?}: a name is a folder and a line in the status")]
    SameName(String),
    #[error("node name {0:?}: use letters, digits, '-' and '_' (it becomes a folder)")]
    BadName(String),
    #[error("{0} is taken by two nodes")]
    SamePort(SocketAddr),
    #[error("a country has one {0} node, this file has {1}")]
    NotOne(&'static str, usize),
    #[error("node {0:?}: only a municipality (id municipality:…) runs a benefit system")]
    BenefitsOfNoMunicipality(String),
}

/// What a node is, with what only its kind has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    Jlis,
    Hub,
    /// `benefits`: a municipality's benefit system, in the same process (it uses the
    /// agency's queries and notices).
    Agency {
        id: String,
        display: String,
        benefits: Option<SocketAddr>,
    },
    Verifier,
    Portal {
        node: SocketAddr,
        public_url: String,
    },
    Health {
        node: SocketAddr,
    },
    Bank {
        code: String,
    },
    /// A store's multi-copy machine (コンビニ交付), `id` its certificate's name (kiosk:…).
    Kiosk {
        id: String,
    },
}

impl Role {
    pub fn kind(&self) -> &'static str {
        match self {
            Role::Jlis => "jlis",
            Role::Hub => "hub",
            Role::Agency { .. } => "agency",
            Role::Verifier => "verifier",
            Role::Portal { .. } => "portal",
            Role::Health { .. } => "health",
            Role::Bank { .. } => "bank",
            Role::Kiosk { .. } => "kiosk",
        }
    }

    /// Every certificate its process needs, in the network folder: its own, and a benefit
    /// system's beside a municipality's node.
    pub fn identities(&self) -> Vec<String> {
        let own = match self {
            Role::Jlis => "jlis",
            Role::Hub => myna_linkage::hub::HUB_ID,
            Role::Agency { id, benefits: Some(_), .. } => return vec![id.clone(), benefits_identity(id)],
            Role::Agency { id, .. } | Role::Kiosk { id } => id,
            Role::Verifier => "verifier",
            Role::Portal { .. } => myna_portal::PORTAL_ID,
            Role::Health { .. } => myna_healthnode::HEALTH_ID,
            Role::Bank { code } => return vec![format!("bank:{code}")],
        };
        vec![own.to_string()]
    }
}

/// The certificate name of a municipality's benefit system.
pub fn benefits_identity(municipality: &str) -> String {
    format!("benefits-{}", municipality.trim_start_matches("municipality:"))
}

#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    pub role: Role,
    pub listen: SocketAddr,
    /// Its database URL (SQLite in its folder unless the file names one).
    pub db: String,
    /// A folder of card files for its demo card reader (testing only).
    pub cards: Option<PathBuf>,
    /// Its own folder: database, log.
    pub dir: PathBuf,
}

impl Node {
    pub fn log(&self) -> PathBuf {
        self.dir.join("node.log")
    }

    /// Its own network folder: the CA's certificate and its own key and certificate only.
    pub fn network(&self) -> PathBuf {
        self.dir.join("network")
    }

    fn url(&self) -> String {
        format!("https://localhost:{}", self.listen.port())
    }

    /// Every address it listens on (the linkage node of the portal and the health node too).
    pub fn addresses(&self) -> Vec<SocketAddr> {
        match &self.role {
            Role::Portal { node, .. } | Role::Health { node } => vec![self.listen, *node],
            Role::Agency { benefits: Some(b), .. } => vec![self.listen, *b],
            _ => vec![self.listen],
        }
    }
}

/// A checked country file.
#[derive(Debug, Clone)]
pub struct Country {
    pub state: PathBuf,
    pub nodes: Vec<Node>,
}

fn need<T>(v: Option<T>, node: &str, kind: &'static str, field: &'static str) -> Result<T, CountryFileError> {
    v.ok_or_else(|| CountryFileError::Missing { node: node.into(), kind, field })
}

impl Country {
    pub fn load(path: &Path) -> Result<Self, CountryFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| CountryFileError::Read(path.into(), e))?;
        // Folders absolute, so that what is written for other programs (the scrape
        // configuration, the nodes' arguments) means the same from any working folder.
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let base = std::fs::canonicalize(parent).map_err(|e| CountryFileError::Read(parent.into(), e))?;
        Self::parse(&text, &base).map_err(|e| match e {
            CountryFileError::Syntax(_, e) => CountryFileError::Syntax(path.into(), e),
            e => e,
        })
    }

    /// Parses `text`; relative folders are under `base` (the file's folder).
    pub fn parse(text: &str, base: &Path) -> Result<Self, CountryFileError> {
        let raw: Raw = toml::from_str(text).map_err(|e| CountryFileError::Syntax(PathBuf::new(), Box::new(e)))?;
        let state = base.join(&raw.state);
        let mut nodes: Vec<Node> = Vec::new();
        for n in raw.nodes {
            if n.name.is_empty() || !n.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(CountryFileError::BadName(n.name));
            }
            if nodes.iter().any(|m| m.name == n.name) {
                return Err(CountryFileError::SameName(n.name));
            }
            let name = n.name.as_str();
            let role = match n.kind.as_str() {
                "agency" => {
                    let id = need(n.id.clone(), name, "agency", "id")?;
                    if n.benefits.is_some() && !id.starts_with("municipality:") {
                        return Err(CountryFileError::BenefitsOfNoMunicipality(n.name));
                    }
                    Role::Agency {
                        id,
                        display: need(n.display.clone(), name, "agency", "display")?,
                        benefits: n.benefits,
                    }
                }
                "bank" => Role::Bank { code: need(n.code.clone(), name, "bank", "code")? },
                "kiosk" => Role::Kiosk { id: need(n.id.clone(), name, "kiosk", "id")? },
                "portal" => Role::Portal {
                    node: need(n.node, name, "portal", "node")?,
                    public_url: n
                        .public_url
                        .clone()
                        .unwrap_or_else(|| format!("https://localhost:{}", n.listen.port())),
                },
                "health" => Role::Health { node: need(n.node, name, "health", "node")? },
                "jlis" => Role::Jlis,
                "hub" => Role::Hub,
                "verifier" => Role::Verifier,
                other => return Err(CountryFileError::UnknownKind { node: n.name.clone(), kind: other.into() }),
            };
            // Each optional field: whether the file gave it, whether this kind takes it.
            let agency = matches!(role, Role::Agency { .. });
            let fields = [
                ("id", n.id.is_some(), agency || matches!(role, Role::Kiosk { .. })),
                ("code", n.code.is_some(), matches!(role, Role::Bank { .. })),
                ("benefits", n.benefits.is_some(), agency),
                (
                    "cards",
                    n.cards.is_some(),
                    agency || matches!(role, Role::Portal { .. } | Role::Health { .. } | Role::Kiosk { .. }),
                ),
                ("display", n.display.is_some(), agency),
                ("node", n.node.is_some(), matches!(role, Role::Portal { .. } | Role::Health { .. })),
                ("public_url", n.public_url.is_some(), matches!(role, Role::Portal { .. })),
                ("db", n.db.is_some(), !matches!(role, Role::Verifier | Role::Kiosk { .. })),
            ];
            if let Some((field, ..)) = fields.into_iter().find(|(_, given, takes)| *given && !takes) {
                return Err(CountryFileError::Extra { node: n.name, kind: role.kind(), field });
            }
            let dir = state.join(&n.name);
            let db = n.db.unwrap_or_else(|| format!("sqlite://{}", dir.join(format!("{}.db", n.name)).display()));
            let cards = n.cards.map(|c| base.join(c));
            let node = Node { name: n.name, role, listen: n.listen, db, dir, cards };
            for a in node.addresses() {
                if nodes.iter().flat_map(Node::addresses).any(|b| b == a) {
                    return Err(CountryFileError::SamePort(a));
                }
            }
            nodes.push(node);
        }
        for kind in ["jlis", "hub"] {
            let n = nodes.iter().filter(|n| n.role.kind() == kind).count();
            if n != 1 {
                return Err(CountryFileError::NotOne(kind, n));
            }
        }
        for kind in ["portal", "health"] {
            let n = nodes.iter().filter(|n| n.role.kind() == kind).count();
            if n > 1 {
                return Err(CountryFileError::NotOne(kind, n));
            }
        }
        Ok(Self { state, nodes })
    }

    /// The network operator's folder: the CA (its key too) and every node's certificate, from
    /// which each node's own folder is provisioned.
    pub fn network(&self) -> PathBuf {
        self.state.join("network")
    }

    fn url_of(&self, kind: &str) -> Option<String> {
        self.nodes.iter().find(|n| n.role.kind() == kind).map(Node::url)
    }

    /// The portal's public origin, for the links in municipalities' notices.
    pub fn portal_url(&self) -> Option<String> {
        self.nodes.iter().find_map(|n| match &n.role {
            Role::Portal { public_url, .. } => Some(public_url.clone()),
            _ => None,
        })
    }

    /// Every bank of the country: (code, its URL).
    pub fn banks(&self) -> Vec<(String, String)> {
        self.nodes
            .iter()
            .filter_map(|n| match &n.role {
                Role::Bank { code } => Some((code.clone(), n.url())),
                _ => None,
            })
            .collect()
    }

    /// The `myna node …` arguments that run `node` in this country.
    pub fn args(&self, node: &Node) -> Vec<String> {
        let (hub, jlis) = (self.url_of("hub").unwrap_or_default(), self.url_of("jlis").unwrap_or_default());
        let network = node.network().display().to_string();
        let mut a: Vec<String> = vec!["node".into(), node.role.kind().into()];
        let mut push = |k: &str, v: &str| {
            a.push(format!("--{k}"));
            a.push(v.to_string());
        };
        push("listen", &node.listen.to_string());
        push("network", &network);
        match &node.role {
            Role::Jlis => push("hub", &hub),
            Role::Hub => push("jlis", &jlis),
            Role::Agency { id, display, benefits } => {
                push("id", id);
                push("name", display);
                push("hub", &hub);
                push("jlis", &jlis);
                if let Some(b) = benefits {
                    push("benefits", &b.to_string());
                    push("portal", &self.portal_url().unwrap_or_default());
                }
                if id == DEPOSIT_INSURANCE {
                    for (code, url) in self.banks() {
                        push("bank", &format!("{code}={url}"));
                    }
                }
            }
            Role::Bank { code } => push("code", code),
            Role::Kiosk { id } => {
                push("id", id);
                push("jlis", &jlis);
            }
            Role::Verifier => {
                push("service", &node.url());
                push("jlis", &jlis);
            }
            Role::Portal { node, public_url } => {
                push("node", &node.to_string());
                push("public-url", public_url);
                push("hub", &hub);
                push("jlis", &jlis);
            }
            Role::Health { node } => {
                push("node", &node.to_string());
                push("hub", &hub);
                push("jlis", &jlis);
            }
        }
        if let Some(c) = &node.cards {
            push("cards", &c.display().to_string());
        }
        if !matches!(node.role, Role::Verifier | Role::Kiosk { .. }) {
            push("db", &node.db);
        }
        a
    }
}

/// 預金保険機構's agency id: its node asks every bank of the country.
pub const DEPOSIT_INSURANCE: &str = "deposit_insurance";

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
state = "st"
[[node]]
name = "jlis"
kind = "jlis"
listen = "127.0.0.1:7443"
[[node]]
name = "hub"
kind = "hub"
listen = "127.0.0.1:7445"
db = "postgres://hub@db/hub"
[[node]]
name = "chiyoda"
kind = "agency"
id = "municipality:131016"
display = "千代田区"
listen = "127.0.0.1:7446"
"#;

    #[test]
    fn a_country_gives_each_node_its_folder_database_and_peers() {
        let c = Country::parse(SMALL, Path::new("/etc/myna")).unwrap();
        assert_eq!(c.state, Path::new("/etc/myna/st"));
        let chiyoda = &c.nodes[2];
        assert_eq!(chiyoda.db, "sqlite:///etc/myna/st/chiyoda/chiyoda.db");
        assert_eq!(c.nodes[1].db, "postgres://hub@db/hub");
        let args = c.args(chiyoda).join(" ");
        assert!(
            args.starts_with("node agency --listen 127.0.0.1:7446 --network /etc/myna/st/chiyoda/network"),
            "{args}"
        );
        assert!(
            args.contains(
                "--id municipality:131016 --name 千代田区 --hub https://localhost:7445 --jlis https://localhost:7443"
            ),
            "{args}"
        );
    }

    #[test]
    fn mistakes_are_named_with_their_node() {
        let err = |t: &str| Country::parse(t, Path::new(".")).unwrap_err().to_string();
        let e = err(&SMALL.replace("display = \"千代田区\"\n", ""));
        assert!(e.contains("\"chiyoda\" (agency) needs `display`"), "{e}");
        let e = err(&SMALL.replace("7446", "7445"));
        assert!(e.contains("127.0.0.1:7445 is taken by two nodes"), "{e}");
        let e = err(&SMALL.replace("kind = \"hub\"", "kind = \"hubb\""));
        assert!(e.contains("kind \"hubb\" is not one of"), "{e}");
        let e = err(&SMALL.replace("name = \"hub\"", "name = \"jlis\""));
        assert!(e.contains("two nodes are named \"jlis\""), "{e}");
        let e = err(&SMALL.replace("name = \"hub\"\nkind = \"hub\"", "name = \"hub\"\nkind = \"jlis\""));
        assert!(e.contains("one jlis node, this file has 2"), "{e}");
        let e = err(&SMALL.replace("listen = \"127.0.0.1:7443\"", "listen = \"127.0.0.1:7443\"\nid = \"x\""));
        assert!(e.contains("\"jlis\" (jlis) takes no `id`"), "{e}");
        let e = err(&SMALL.replace("state = \"st\"", "state = \"st\"\nstat = 1"));
        assert!(e.contains("unknown field `stat`"), "{e}");
        let e = err(&SMALL.replace("name = \"chiyoda\"", "name = \"../x\""));
        assert!(e.contains("becomes a folder"), "{e}");
        let e =
            err(&SMALL
                .replace("id = \"municipality:131016\"", "id = \"pension_service\"\nbenefits = \"127.0.0.1:7999\""));
        assert!(e.contains("only a municipality (id municipality:…) runs a benefit system"), "{e}");
        let e = err(&SMALL.replace("kind = \"hub\"", "kind = \"hub\"\ncode = \"0005\""));
        assert!(e.contains("\"hub\" (hub) takes no `code`"), "{e}");
    }

    /// 預金保険機構 is given every bank of the file; a municipality's benefit system listens
    /// in its process and needs the benefit system's certificate too.
    #[test]
    fn deposit_insurance_asks_every_bank_and_a_municipality_runs_its_benefits() {
        let text = format!(
            "{SMALL}benefits = \"127.0.0.1:7475\"\n{}",
            r#"[[node]]
name = "bank-0005"
kind = "bank"
code = "0005"
listen = "127.0.0.1:7484"
[[node]]
name = "dic"
kind = "agency"
id = "deposit_insurance"
display = "預金保険機構"
listen = "127.0.0.1:7481"
"#
        );
        let c = Country::parse(&text, Path::new("/etc/myna")).unwrap();
        let dic = c.args(&c.nodes[4]).join(" ");
        assert!(dic.contains("--bank 0005=https://localhost:7484"), "{dic}");
        let chiyoda = &c.nodes[2];
        assert!(c.args(chiyoda).join(" ").contains("--benefits 127.0.0.1:7475"));
        assert_eq!(chiyoda.role.identities(), ["municipality:131016", "benefits-131016"]);
        assert_eq!(c.nodes[3].role.identities(), ["bank:0005"]);
        assert_eq!(chiyoda.addresses().len(), 2);
    }
}
