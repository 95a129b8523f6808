use std::io::BufRead;

use clap::Subcommand;
use myna_text::address::normalize;

use super::CmdResult;

#[derive(Subcommand)]
pub enum AddressCmd {
    /// Prints one JSON object per address: pref, city, town, rest, lg_code, level
    /// (0 nothing matched, 1 prefecture, 2 municipality, 3 town). With no address given,
    /// reads one per line from standard input.
    Normalize { address: Vec<String> },
}

impl AddressCmd {
    pub fn run(self) -> CmdResult {
        let AddressCmd::Normalize { address } = self;
        if !address.is_empty() {
            println!("{}", serde_json::to_string(&normalize(&address.join(" ")))?);
            return Ok(());
        }
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            println!("{}", serde_json::to_string(&normalize(&line?))?);
        }
        Ok(())
    }
}
