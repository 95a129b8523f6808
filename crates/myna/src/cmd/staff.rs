//! `myna staff …`: an organization's administrator gives its people accounts on its own node
//! (an agency node's clerks, or the portal's municipal clerks), each bound to the person's
//! staff card, working on the node's database directly (on the organization's own machine, not
//! over the network).

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use myna_pki::CertKind;
use myna_rp::staff::{Staff, StaffDirectory};
use myna_store::Db;

use super::CmdResult;

/// Whose staff: the roles differ.
#[derive(Clone, Copy, ValueEnum)]
pub enum Node {
    /// An agency node's clerks (role: clerk).
    Agency,
    /// The portal's municipal clerks (role: clerk:<local government code>).
    Portal,
    /// The health node's facility staff (role: reception:<facility code>).
    Health,
}

impl Node {
    fn roles(self) -> myna_rp::staff::Roles {
        match self {
            Node::Agency => myna_linkage::agency::STAFF_ROLES,
            Node::Portal => myna_portal::CLERK_ROLES,
            Node::Health => myna_healthnode::STAFF_ROLES,
        }
    }
}

#[derive(Subcommand)]
pub enum StaffCmd {
    /// Add an account (or change its name, role or card).
    Add {
        /// The node's database URL (sqlite://… or postgres://…).
        #[arg(long)]
        db: String,
        #[arg(long, value_enum, default_value = "agency")]
        node: Node,
        /// The account id (letters, digits, '.', '-', '_').
        #[arg(long)]
        account: String,
        /// The person's name, as records show it.
        #[arg(long)]
        name: String,
        /// The role: clerk at an agency node, clerk:<local government code> at the portal,
        /// reception:<facility code> at the health node.
        #[arg(long, default_value = "clerk")]
        role: String,
        /// The person's staff card (a card file): its user-authentication certificate is bound.
        #[arg(long, conflicts_with = "serial", required_unless_present = "serial")]
        card: Option<PathBuf>,
        /// Or the certificate's serial (hexadecimal), as a refused sign-in names it.
        #[arg(long)]
        serial: Option<String>,
    },
    /// List the accounts.
    List {
        #[arg(long)]
        db: String,
        #[arg(long, value_enum, default_value = "agency")]
        node: Node,
    },
    /// Remove an account; its sessions end at once.
    Remove {
        #[arg(long)]
        db: String,
        #[arg(long, value_enum, default_value = "agency")]
        node: Node,
        #[arg(long)]
        account: String,
    },
}

async fn directory(db: &str, node: Node) -> Result<StaffDirectory, Box<dyn std::error::Error>> {
    Ok(StaffDirectory::open(Db::open(db).await?, node.roles()).await?)
}

/// The holder's name on a card file's signing certificate (the basic 4 items).
pub fn card_holder(card: &std::path::Path) -> Result<String, Box<dyn std::error::Error>> {
    let card = super::card_file::open(card)?;
    let cert = super::card::certificate(&card, CertKind::Signing)?;
    Ok(cert.holder.map(|h| h.name).ok_or("the signing certificate names no holder")?)
}

/// The serial of a card file's user-authentication certificate.
pub fn card_serial(card: &std::path::Path) -> Result<u64, Box<dyn std::error::Error>> {
    let card = super::card_file::open(card)?;
    Ok(super::card::certificate(&card, CertKind::UserAuth)?.serial.value())
}

impl StaffCmd {
    pub async fn run(self) -> CmdResult {
        match self {
            StaffCmd::Add { db, node, account, name, role, card, serial } => {
                let serial = match (card, serial) {
                    (Some(c), _) => card_serial(&c)?,
                    (None, Some(s)) => u64::from_str_radix(s.trim(), 16).map_err(|_| {
                        format!("--serial {s}: a certificate serial in hexadecimal, as a refused sign-in shows it")
                    })?,
                    (None, None) => return Err("give --card or --serial".into()),
                };
                let staff = Staff { account, name, role };
                directory(&db, node).await?.add(&staff, serial, myna_node::now_secs()).await?;
                println!(
                    "{} ({}) may sign in as {} with the card of certificate {serial:X}",
                    staff.name, staff.role, staff.account
                );
            }
            StaffCmd::List { db, node } => {
                for (s, serial) in directory(&db, node).await?.list().await? {
                    println!("{}\t{}\t{}\tcard {serial:X}", s.account, s.name, s.role);
                }
            }
            StaffCmd::Remove { db, node, account } => {
                if directory(&db, node).await?.remove(&account).await? {
                    println!("{account} removed");
                } else {
                    return Err(format!("no account {account}").into());
                }
            }
        }
        Ok(())
    }
}
