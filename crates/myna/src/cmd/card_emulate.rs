//! `myna card emulate CARD`: the software card in a virtual reader, speaking the chip's APDUs
//! (`myna_pki::jpki_ap`) to Debian's `vsmartcard-vpcd` driver of `pcscd`, so every PC/SC
//! program — ours, or any other — uses it as it would a My Number Card. The card file keeps
//! the tries: a wrong PIN through the reader counts, and locks, as on the chip.
//!
//! vpcd's protocol (vsmartcard's documentation): the card connects to the driver's TCP port;
//! each message is a 2-byte big-endian length and its bytes; one byte is a control (0 power
//! off, 1 power on, 2 reset, 4 send the ATR), anything longer an APDU to answer.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use myna_pki::jpki_ap::Applet;

use super::CmdResult;

/// The answer to reset: T=1, no historical bytes beyond a category indicator.
const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

fn frame(out: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    let len = u16::try_from(bytes.len()).map_err(|_| std::io::Error::other("a response over 64 KiB"))?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(bytes)
}

/// Serves `file` to the vpcd driver at `vpcd` until the driver closes the connection.
pub fn emulate(file: &Path, vpcd: &str) -> CmdResult {
    let card = super::card_file::open(file)?;
    let mut chip = Applet::new(card);
    let mut link = TcpStream::connect(vpcd).map_err(|e| {
        format!("{vpcd}: {e} (is pcscd running with vsmartcard-vpcd? `pcscd` and `apt install vsmartcard-vpcd`)")
    })?;
    link.set_nodelay(true)?;
    eprintln!("card {} is in the virtual reader at {vpcd}", file.display());
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
            apdu => frame(&mut link, &chip.process(apdu))?,
        }
    }
}
