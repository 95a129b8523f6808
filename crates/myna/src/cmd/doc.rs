//! `myna doc`: documents issued by municipalities (issue 21), checked offline.

use std::path::PathBuf;

use clap::Subcommand;
use myna_issuance::{Channel, IssuerKeys, KeyList, pdf};

use super::CmdResult;

#[derive(Subcommand)]
pub enum DocCmd {
    /// Check an issued document: who issued it, when, for whom, and whether it was altered.
    /// Needs no network: only the issuers' public keys (a key list file).
    Verify {
        /// The PDF as printed, or a text file holding the scanned code (JPDOC1:…).
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
    let keys = IssuerKeys::from_list(&list)?;
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let code = if bytes.starts_with(b"%PDF-") {
        pdf::code_of(&bytes)?
    } else {
        String::from_utf8(bytes.clone()).map_err(|_| format!("{}: neither a PDF nor a code", file.display()))?
    };
    let doc = keys.open(&code).map_err(|e| format!("NOT VALID: {e}"))?;
    // The log's receipt, checked with J-LIS's log key when the key list has it.
    let receipt = if bytes.starts_with(b"%PDF-") { pdf::receipt_of(&bytes)? } else { None };
    let logged = match (&receipt, &list.log) {
        (Some(r), Some(log)) => {
            let size = r.verify(&doc, &code, &log.vkey).map_err(|e| format!("NOT VALID: {e}"))?;
            format!("in J-LIS's issuance log as entry {} (proved in its checkpoint of {size} entries)", r.index)
        }
        (Some(_), None) => "carries a log receipt, not checked: the key list has no log key (J-LIS's has)".into(),
        (None, _) => "no log receipt (a code alone carries none; the PDF does)".into(),
    };
    println!("VALID: signed by {} ({}), unaltered", doc.issuer.name, doc.issuer.code);
    println!("document: {} / {}", doc.kind.ja(), doc.kind.en());
    println!("serial:   {}", doc.serial);
    println!("issued:   {} JST", doc.issued_jst());
    match &doc.channel {
        Channel::Kiosk(k) => println!("where:    コンビニ交付, kiosk {k}"),
        Channel::Counter(c) => println!("where:    窓口交付, by {c}"),
    }
    for p in &doc.people {
        println!("for:      {} ({}), born {}", p.name, p.kana.as_deref().unwrap_or("-"), p.birth);
    }
    for l in &doc.lines {
        println!("          {}: {}", l.label, l.value);
    }
    println!("logged:   {logged}");
    println!(
        "(whether it was withdrawn since is not checked offline: J-LIS's log answers it at /v1/issuances/{}/{})",
        doc.issuer.code, doc.serial
    );
    Ok(())
}
