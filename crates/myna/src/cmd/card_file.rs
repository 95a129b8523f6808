//! A software card kept as a file: every change written to a temporary file, synced, and
//! renamed over the old one, so a crash leaves either the old card or the new one.

use std::io::Write;
use std::path::{Path, PathBuf};

use myna_pki::softcard::{CardStore, SoftCard};
use myna_pki::token::TokenError;

pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    pub fn new(path: &Path) -> Self {
        Self { path: path.to_owned() }
    }
}

/// Replaces the file at `path` with `bytes`: written to a temporary file, synced, renamed
/// over the old one, and the folder synced, so a crash leaves the old file or the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|e| format!("{}: {e}", path.display()))
}

impl CardStore for FileStore {
    fn save(&mut self, bytes: &[u8]) -> Result<(), String> {
        write_atomic(&self.path, bytes)
    }
}

/// Opens the card file at `path`.
pub fn open(path: &Path) -> Result<SoftCard<FileStore>, Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(SoftCard::open(&bytes, FileStore::new(path)).map_err(|e: TokenError| format!("{}: {e}", path.display()))?)
}
