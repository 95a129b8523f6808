//! A card in a PC/SC reader (feature `pcsc`): the readers pcsc-lite knows, and the JPKI
//! application's APDUs (`myna_pki::jpki_host`) carried to the card in one of them — a My
//! Number Card, or the software card in `myna card emulate`'s virtual reader.

use std::ffi::CString;

use myna_pki::jpki_host::{JpkiCard, Transport};

/// A connected card.
pub struct Pcsc {
    card: pcsc::Card,
}

impl Transport for Pcsc {
    fn transmit(&mut self, apdu: &[u8]) -> Result<Vec<u8>, String> {
        let mut buf = [0u8; pcsc::MAX_BUFFER_SIZE];
        const REMOVED: &str =
            "the card was removed from the reader in the middle of the operation: put it back and try again";
        let r = self.card.transmit(apdu, &mut buf).map_err(|e| match e {
            pcsc::Error::RemovedCard | pcsc::Error::ResetCard => REMOVED.to_string(),
            e => e.to_string(),
        })?;
        // A card always answers its two status bytes; a reader that lost the card mid-command
        // (vpcd, some USB readers) passes on nothing instead of an error.
        if r.is_empty() {
            return Err(REMOVED.to_string());
        }
        Ok(r.to_vec())
    }
}

fn context() -> Result<pcsc::Context, String> {
    pcsc::Context::establish(pcsc::Scope::User)
        .map_err(|e| format!("PC/SC: {e} (is pcscd running? Debian: apt install pcscd)"))
}

/// The readers, each with whether a card is in it.
pub fn readers() -> Result<Vec<(String, bool)>, String> {
    readers_in(&context()?)
}

fn readers_in(ctx: &pcsc::Context) -> Result<Vec<(String, bool)>, String> {
    let mut buf = vec![0u8; ctx.list_readers_len().map_err(|e| e.to_string())?];
    let names: Vec<CString> = match ctx.list_readers(&mut buf) {
        Ok(r) => r.map(|n| n.to_owned()).collect(),
        Err(pcsc::Error::NoReadersAvailable) => Vec::new(),
        Err(e) => return Err(e.to_string()),
    };
    // pcscd's own view of each slot: asking it does not power a card up, and a slot reads
    // empty only once pcscd has seen the card go.
    let mut states: Vec<pcsc::ReaderState> =
        names.into_iter().map(|n| pcsc::ReaderState::new(n, pcsc::State::UNAWARE)).collect();
    if !states.is_empty() {
        ctx.get_status_change(std::time::Duration::ZERO, &mut states).map_err(|e| e.to_string())?;
    }
    Ok(states
        .iter()
        .map(|s| (s.name().to_string_lossy().into_owned(), s.event_state().contains(pcsc::State::PRESENT)))
        .collect())
}

/// The JPKI card in `reader` (by name, or the first reader holding a card), selected.
pub fn open(reader: Option<&str>) -> Result<JpkiCard<Pcsc>, String> {
    let ctx = context()?;
    let list = readers_in(&ctx)?;
    let name = match reader.filter(|r| !r.is_empty()) {
        Some(r) => list.iter().find(|(n, _)| n == r).map(|(n, _)| n.clone()).ok_or_else(|| {
            format!(
                "no reader named {r:?}; readers: {}",
                list.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
            )
        })?,
        None => list.iter().find(|(_, c)| *c).map(|(n, _)| n.clone()).ok_or("no reader holds a card")?,
    };
    let c = CString::new(name.clone()).map_err(|e| e.to_string())?;
    let card = ctx.connect(&c, pcsc::ShareMode::Shared, pcsc::Protocols::ANY).map_err(|e| match e {
        pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => format!("the reader {name:?} holds no card"),
        e => format!("{name}: {e}"),
    })?;
    let mut jpki = JpkiCard::new(Pcsc { card });
    jpki.select().map_err(|e| e.to_string())?;
    Ok(jpki)
}
