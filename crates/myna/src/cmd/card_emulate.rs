//! `myna card emulate CARD`: the software card in a virtual reader, speaking the chip's APDUs
//! (`myna_pki::jpki_ap`) to Debian's `vsmartcard-vpcd` driver of `pcscd`, so every PC/SC
//! program — ours, or any other — uses it as it would a My Number Card. The card file keeps
//! the tries: a wrong PIN through the reader counts, and locks, as on the chip.
//!
//! For testing reader programs it can also be a card of another kind, or one pulled out of the
//! reader after a number of commands.
//!
//! vpcd's protocol (vsmartcard's documentation): the card connects to the driver's TCP port;
//! each message is a 2-byte big-endian length and its bytes; one byte is a control (0 power
//! off, 1 power on, 2 reset, 4 send the ATR), anything longer an APDU to answer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use myna_pki::{apdu::sw, jpki_ap::Applet, softcard::SoftCard};

use super::card_file::FileStore;

use super::CmdResult;

/// The answer to reset: T=1, no historical bytes beyond a category indicator.
const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

/// What is in the virtual reader.
pub enum Chip {
    /// A My Number Card: the software card behind the JPKI and 券面事項入力補助 applications.
    Card(Box<Applet<SoftCard<FileStore>>>),
    /// A card of another kind: it has no application the host asks for.
    Foreign,
}

impl Chip {
    pub fn card(file: &Path) -> Result<Self, Box<dyn std::error::Error>> {
        Ok(Self::Card(Box::new(Applet::new(super::card_file::open(file)?))))
    }

    fn reset(&mut self) {
        if let Self::Card(a) = self {
            a.reset();
        }
    }

    fn process(&mut self, apdu: &[u8]) -> Vec<u8> {
        match self {
            Self::Card(a) => a.process(apdu),
            Self::Foreign => sw::FILE_NOT_FOUND.to_be_bytes().to_vec(),
        }
    }
}

fn frame(out: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    let len = u16::try_from(bytes.len()).map_err(|_| std::io::Error::other("a response over 64 KiB"))?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(bytes)
}

/// Serves `chip` to the vpcd driver at `vpcd` until the driver closes the connection, or
/// until it has answered `remove_after` commands (then the card leaves the reader).
pub fn serve(mut chip: Chip, vpcd: &str, remove_after: Option<usize>) -> CmdResult {
    // vpcd listens again only some time after a card left its slot: retried for a while.
    let start = std::time::Instant::now();
    let mut link = loop {
        match TcpStream::connect(vpcd) {
            Ok(l) => break l,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused && start.elapsed().as_secs() < 10 => {
                std::thread::sleep(std::time::Duration::from_millis(100))
            }
            Err(e) => {
                return Err(format!(
                    "{vpcd}: {e} (is pcscd running with vsmartcard-vpcd? `pcscd` and `apt install vsmartcard-vpcd`)"
                )
                .into());
            }
        }
    };
    link.set_nodelay(true)?;
    eprintln!("a card is in the virtual reader at {vpcd}");
    let mut answered = 0;
    loop {
        let mut len = [0u8; 2];
        if let Err(e) = link.read_exact(&mut len) {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                return Ok(());
            }
            return Err(e.into());
        }
        let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
        link.read_exact(&mut msg)?;
        match msg.as_slice() {
            [0] | [1] | [2] => chip.reset(),
            [4] => frame(&mut link, &ATR)?,
            apdu => {
                if remove_after.is_some_and(|n| answered >= n) {
                    eprintln!("the card left the reader after {answered} commands");
                    return Ok(());
                }
                frame(&mut link, &chip.process(apdu))?;
                answered += 1;
            }
        }
    }
}
