use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use myna_number::{AnyNumber, NumberIssuer};

#[derive(Subcommand)]
pub enum NumberCmd {
    /// Checks a number; its kind follows its length (12 individual, 13 corporate, 6 local
    /// government code). Spaces, hyphens and full-width digits are accepted.
    Check {
        /// The digits (quote them if they contain spaces).
        digits: Vec<String>,
    },
    /// Issues numbers from serials 0..count under a key (random unless --seed is given).
    Generate {
        #[arg(long, value_enum)]
        kind: Kind,
        #[arg(long, default_value_t = 10)]
        count: u64,
        /// Derive the issuing key from this seed, for a reproducible list.
        #[arg(long)]
        seed: Option<u64>,
        /// The first serial.
        #[arg(long, default_value_t = 0)]
        start: u64,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    Individual,
    Corporate,
}

impl NumberCmd {
    pub fn run(self) -> ExitCode {
        match self {
            NumberCmd::Check { digits } => {
                let input = digits.join(" ");
                match AnyNumber::parse(&input) {
                    Ok(n) => {
                        println!("valid {}: {n}", n.kind());
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("invalid: {e}");
                        ExitCode::FAILURE
                    }
                }
            }
            NumberCmd::Generate { kind, count, seed, start } => {
                let key = match seed {
                    Some(s) => {
                        let mut k = [0u8; 32];
                        k[..8].copy_from_slice(&s.to_le_bytes());
                        k
                    }
                    None => super::random_key(),
                };
                let issuer = match NumberIssuer::new(&key) {
                    Ok(i) => i,
                    Err(e) => {
                        eprintln!("myna: {e}");
                        return ExitCode::FAILURE;
                    }
                };
                let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                for serial in start..start.saturating_add(count) {
                    let line = match kind {
                        Kind::Individual => issuer.individual(serial).map(|n| n.to_string()),
                        Kind::Corporate => issuer.corporate(serial).map(|n| n.to_string()),
                    };
                    match line {
                        Ok(l) => {
                            if std::io::Write::write_all(&mut out, format!("{l}\n").as_bytes()).is_err() {
                                return ExitCode::SUCCESS; // stdout closed (e.g. piped to head)
                            }
                        }
                        Err(e) => {
                            eprintln!("myna: {e}");
                            return ExitCode::FAILURE;
                        }
                    }
                }
                ExitCode::SUCCESS
            }
        }
    }
}
