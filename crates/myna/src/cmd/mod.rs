pub mod address;
pub mod bench;
pub mod card;
pub(crate) mod card_emulate;
pub(crate) mod card_file;
mod card_reader;
pub(crate) mod card_source;
pub mod country;
pub mod demo;
pub mod doc;
mod inspect;
pub mod link;
pub mod node;
pub mod number;
#[cfg(feature = "pcsc")]
pub(crate) mod pcsc_reader;
pub mod population;
mod roles;
pub mod staff;

use std::path::PathBuf;

/// Any failure of a command, with what to do about it in the message.
pub type CmdResult = Result<(), Box<dyn std::error::Error>>;

pub fn runtime() -> Result<tokio::runtime::Runtime, Box<dyn std::error::Error>> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

/// Where a node keeps its files when no path is given: `.myna/` in the working directory.
pub fn default_state() -> PathBuf {
    PathBuf::from(".myna")
}

/// A random 32-byte key from the operating system.
pub fn random_key() -> [u8; 32] {
    use rand::TryRngCore;
    let mut k = [0u8; 32];
    // The OS generator failing is not something to continue past with a weak key.
    if rand::rngs::OsRng.try_fill_bytes(&mut k).is_err() {
        eprintln!("myna: the operating system's random generator failed");
        std::process::exit(2);
    }
    k
}

pub use myna_node::today_jst as today;
