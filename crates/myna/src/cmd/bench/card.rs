//! `myna bench card` (feature `pcsc`): what the smart-card stack costs. The same card file's
//! login signature (verify the PIN, sign a challenge's digest) made directly by the software
//! card, and through pcsc-lite to `myna card emulate`'s virtual reader (pcscd, vsmartcard-vpcd,
//! the APDUs), each N times; and the APDUs each operation takes.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use myna_pki::{CertKind, Secret, token::CardToken as _};

use crate::cmd::CmdResult;

#[derive(Args)]
pub struct CardBench {
    /// A card file (a copy is served in the virtual reader; the file itself signs directly).
    card: PathBuf,
    /// Its 4-digit PIN.
    #[arg(long, default_value = "1234")]
    pin: String,
    /// Signatures each way.
    #[arg(long, default_value_t = 200)]
    signs: usize,
    /// The vpcd driver's address and the reader it makes.
    #[arg(long, default_value = "127.0.0.1:35963")]
    vpcd: String,
    #[arg(long, default_value = "Virtual PCD 00 00")]
    reader: String,
}

impl CardBench {
    pub async fn run(self) -> CmdResult {
        let pin = Secret::new(CertKind::UserAuth, &self.pin)?;
        let dir = super::Scratch::new("card")?;
        let copy = dir.0.join("served.card.json");
        std::fs::copy(&self.card, &copy)?;
        let digest = myna_pki::sha256(b"a login challenge");

        // Directly: the software card in this process.
        let mut direct = crate::cmd::card_file::open(&self.card)?;
        let t = Instant::now();
        for _ in 0..self.signs {
            direct.sign_digest(&pin, &digest)?;
        }
        let direct_ms = t.elapsed().as_secs_f64() * 1000.0 / self.signs as f64;

        // Through the stack: the copy in the virtual reader, reached over pcsc-lite.
        let (file, vpcd) = (copy.clone(), self.vpcd.clone());
        std::thread::spawn(move || {
            if let Err(e) = crate::cmd::card_emulate::Chip::card(&file)
                .and_then(|c| crate::cmd::card_emulate::serve(c, &vpcd, None))
            {
                eprintln!("emulator: {e}");
            }
        });
        let start = Instant::now();
        let mut card = loop {
            match crate::cmd::pcsc_reader::open(Some(&self.reader)) {
                Ok(c) => break c,
                Err(e) if start.elapsed().as_secs() > 10 => return Err(e.into()),
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            }
        };
        let mut n = card.sent;
        card.certificate(CertKind::UserAuth)?;
        let cert = card.sent - n;
        n = card.sent;
        card.tries_left(CertKind::UserAuth)?;
        let tries = card.sent - n;
        n = card.sent;
        card.sign(&pin, &digest)?;
        let sign = card.sent - n;
        let t = Instant::now();
        for _ in 0..self.signs {
            card.sign(&pin, &digest)?;
        }
        let pcsc_ms = t.elapsed().as_secs_f64() * 1000.0 / self.signs as f64;
        println!("login signature (PIN verified, digest signed), {} each way:", self.signs);
        println!("  software card directly: {direct_ms:.2} ms");
        println!(
            "  through PC/SC (pcsc-lite, pcscd, vsmartcard-vpcd, the APDUs, the same software card): {pcsc_ms:.2} ms ({:.2} × directly, +{:.2} ms)",
            pcsc_ms / direct_ms.max(f64::MIN_POSITIVE),
            pcsc_ms - direct_ms
        );
        println!("APDUs: read the user-authentication certificate {cert}, tries left {tries}, verify and sign {sign}");
        Ok(())
    }
}
