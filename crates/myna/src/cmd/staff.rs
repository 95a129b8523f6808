//! `myna staff …`: an organization's administrator gives its people accounts on its own
//! agency node, each bound to the person's staff card, working on the node's database
//! directly (on the organization's own machine, not over the network).

use std::path::PathBuf;

use clap::Subcommand;
use myna_pki::CertKind;
use myna_rp::staff::{Staff, StaffDirectory};
use myna_store::Db;

use super::CmdResult;

#[derive(Subcommand)]
pub enum StaffCmd {
    /// Add an account (or change its name, role or card).
    Add {
        /// The agency node's database URL (sqlite://… or postgres://…).
        #[arg(long)]
        db: String,
        /// The account id (letters, digits, '.', '-', '_').
        #[arg(long)]
        account: String,
        /// The person's name, as records show it.
        #[arg(long)]
        name: String,
        /// The role: clerk.
        #[arg(long, default_value = "clerk")]
        role: String,
        /// The person's staff card (a card file): its user-authentication certificate is bound.
        #[arg(long, conflicts_with = "serial", required_unless_present = "serial")]
        card: Option<PathBuf>,
        /// Or the certificate's serial, as a refused sign-in names it.
        #[arg(long)]
        serial: Option<u64>,
    },
    /// List the accounts.
    List {
        #[arg(long)]
        db: String,
    },
    /// Remove an account; its sessions end at once.
    Remove {
        #[arg(long)]
        db: String,
        #[arg(long)]
        account: String,
    },
}

async fn directory(db: &str) -> Result<StaffDirectory, Box<dyn std::error::Error>> {
    Ok(StaffDirectory::open(Db::open(db).await?, myna_linkage::agency::STAFF_ROLES).await?)
}

/// The serial of a card file's user-authentication certificate.
pub fn card_serial(card: &std::path::Path) -> Result<u64, Box<dyn std::error::Error>> {
    let card = super::card_file::open(card)?;
    Ok(super::card::certificate(&card, CertKind::UserAuth)?.serial.value())
}

impl StaffCmd {
    pub async fn run(self) -> CmdResult {
        match self {
            StaffCmd::Add { db, account, name, role, card, serial } => {
                let serial = match (card, serial) {
                    (Some(c), _) => card_serial(&c)?,
                    (None, Some(s)) => s,
                    (None, None) => return Err("give --card or --serial".into()),
                };
                let staff = Staff { account, name, role };
                directory(&db).await?.add(&staff, serial, myna_node::now_secs()).await?;
                println!(
                    "{} ({}) may sign in as {} with the card of certificate {serial}",
                    staff.name, staff.role, staff.account
                );
            }
            StaffCmd::List { db } => {
                for (s, serial) in directory(&db).await?.list().await? {
                    println!("{}\t{}\t{}\tcard {serial}", s.account, s.name, s.role);
                }
            }
            StaffCmd::Remove { db, account } => {
                if directory(&db).await?.remove(&account).await? {
                    println!("{account} removed");
                } else {
                    return Err(format!("no account {account}").into());
                }
            }
        }
        Ok(())
    }
}
