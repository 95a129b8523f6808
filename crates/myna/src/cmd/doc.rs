//! `myna doc`: documents issued by municipalities (issue 21), checked offline.

use std::path::PathBuf;

use clap::Subcommand;
use myna_issuance::{IssuerKeys, KeyList, verify::check};

use super::CmdResult;

#[derive(Subcommand)]
pub enum DocCmd {
    /// Check an issued document: who issued it, when, for whom, and whether it was altered.
    /// Needs no network: only the issuers' public keys (a key list file).
    Verify {
        /// The PDF as printed, a photo or scan of its QR code (PNG or JPEG), or a text file
        /// holding the code (JPDOC1:…).
        file: PathBuf,
        /// The issuers' key list (JSON: {"issuers": [{"kid", "name", "public"}], "log": {"origin", "vkey"}}),
        /// as J-LIS publishes it at /v1/issuers/keys.
        #[arg(long)]
        keys: PathBuf,
    },
}

impl DocCmd {
    pub fn run(self) -> CmdResult {
        match self {
            DocCmd::Verify { file, keys } => verify(&file, &keys),
        }
    }
}

fn verify(file: &PathBuf, keys: &PathBuf) -> CmdResult {
    let list: KeyList = serde_json::from_slice(&std::fs::read(keys).map_err(|e| format!("{}: {e}", keys.display()))?)
        .map_err(|e| format!("{}: not a key list: {e}", keys.display()))?;
    let issuers = IssuerKeys::from_list(&list)?;
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let checked = check(&bytes, &issuers, list.log.as_ref()).map_err(|e| format!("NOT VALID: {e}"))?;
    let doc = &checked.document;
    println!("VALID: signed by {} ({}), unaltered", doc.issuer.name, doc.issuer.code);
    for line in doc.summary() {
        println!("  {line}");
    }
    println!("  {}", checked.log_line());
    println!(
        "(whether it was withdrawn since is not checked offline: J-LIS's log answers it at /v1/issuances/{}/{})",
        doc.issuer.code, doc.serial
    );
    Ok(())
}
