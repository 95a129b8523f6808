//! A card over the real smart-card stack (feature `pcsc`; scripts/test.sh installs and starts
//! pcscd with Debian's vsmartcard-vpcd): a demo card served by `myna card emulate` in the
//! virtual reader, and the holder's tool reaching it through pcsc-lite as it would a My Number
//! Card — listed, logged in with, signing, and three wrong PINs locking it, the tries reported
//! by the card's own answers and kept in the card.
#![cfg(feature = "pcsc")]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child, Option<std::path::PathBuf>);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if let Some(d) = &self.1 {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

fn card(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_myna"));
    c.arg("card").args(args).env_remove("MYNA_PIN").env_remove("MYNA_PASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

const READER: &str = "Virtual PCD 00 00";

#[test]
fn the_holder_s_tool_uses_the_card_through_pcsc() {
    let (ok, out) = card(&["readers"], &[]);
    assert!(ok && out.contains(READER), "pcscd with vsmartcard-vpcd is needed (scripts/test.sh starts it): {out}");

    let dir = std::env::temp_dir().join(format!("myna-pcsc-{}", std::process::id()));
    // The demo takes 46 consecutive ports (demo::link::PORTS).
    let port = myna_testkit::free_ports(46);
    let child = Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["demo", "--residents", "300", "--port", &port.to_string(), "--dir", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _demo = Kill(child, Some(dir.clone()));
    let file = dir.join("cards").join("resident1.card.json");
    let start = Instant::now();
    while !file.exists() {
        assert!(start.elapsed() < Duration::from_secs(120), "the demo did not issue cards");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(500));
    let f = file.to_str().unwrap();
    let emulator = Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["card", "emulate", f])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _emulator = Kill(emulator, None);
    let start = Instant::now();
    loop {
        let (_, out) = card(&["readers"], &[]);
        if out.lines().any(|l| l.starts_with(READER) && l.ends_with("card present")) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the card did not appear in the reader: {out}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let (jlis, service) = (format!("https://localhost:{port}"), format!("https://localhost:{}", port + 1));
    let ca = dir.join("network/ca.pem");
    let ca = ca.to_str().unwrap();

    // Logged in with the card in the reader (retried while the demo's verifier starts).
    let login = |pin: &str| {
        card(&["login", "--reader", READER, "--service", &service, "--jlis", &jlis, "--ca", ca], &[("MYNA_PIN", pin)])
    };
    let (mut ok, mut out) = login("1234");
    while !ok && start.elapsed() < Duration::from_secs(120) && !out.contains("PIN") {
        std::thread::sleep(Duration::from_millis(500));
        (ok, out) = login("1234");
    }
    assert!(ok && out.contains("logged in as "), "{out}");

    // And to Myna Portal, the same way (its login API).
    let portal = format!("https://localhost:{}", port + 7);
    let to_portal = || {
        card(&["login", "--reader", READER, "--service", &portal, "--jlis", &jlis, "--ca", ca], &[("MYNA_PIN", "1234")])
    };
    // (retried while the demo's portal starts: it comes up after the verifier)
    let (mut ok, mut out) = to_portal();
    while !ok && start.elapsed() < Duration::from_secs(180) && !out.contains("PIN") {
        std::thread::sleep(Duration::from_millis(500));
        (ok, out) = to_portal();
    }
    assert!(ok && out.contains("session"), "{out}");

    // The other slot of the virtual reader holds no card: said so.
    let (ok, out) = card(
        &["login", "--reader", "Virtual PCD 00 01", "--service", &service, "--jlis", &jlis, "--ca", ca],
        &[("MYNA_PIN", "1234")],
    );
    assert!(!ok && out.contains("holds no card"), "{out}");
    let (ok, out) = card(&["login", "--reader", "No Such Reader", "--service", &service], &[("MYNA_PIN", "1234")]);
    assert!(!ok && out.contains("no reader named"), "{out}");

    // A clinic check-in (受付) with the card in the reader: the PIN, consent, the eligibility.
    let known = dir.join("facilities.json");
    while !known.exists() {
        assert!(start.elapsed() < Duration::from_secs(120), "the demo's health node did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    let facilities: serde_json::Value = serde_json::from_slice(&std::fs::read(&known).unwrap()).unwrap();
    let clinic = facilities["1312345678"].as_str().unwrap().to_string();
    let health = format!("https://localhost:{}", port + 9);
    let (ok, out) = card(
        &[
            "reception",
            "--reader",
            READER,
            "--health",
            &health,
            "--facility",
            &clinic,
            "--consent",
            "medication",
            "--register",
            "--jlis",
            &jlis,
            "--ca",
            ca,
        ],
        &[("MYNA_PIN", "1234")],
    );
    assert!(ok && out.contains("\"outcome\""), "{out}");

    // A document signed by the chip's signing key, valid at J-LIS.
    let doc = dir.join("application.txt");
    std::fs::write(&doc, "児童手当 現況届").unwrap();
    let (ok, out) = card(&["sign", doc.to_str().unwrap(), "--reader", READER], &[("MYNA_PASSWORD", "DEMO2026")]);
    assert!(ok, "{out}");
    let sig = dir.join("application.sig.json");
    let (ok, out) = card(&["verify", doc.to_str().unwrap(), sig.to_str().unwrap(), "--jlis", &jlis, "--ca", ca], &[]);
    assert!(ok && out.contains("valid: signed by"), "{out}");

    // 券面事項入力補助: the number and the 4 items, read through the reader after the PIN.
    let (ok, out) = card(&["face", "--reader", READER], &[("MYNA_PIN", "1234")]);
    assert!(ok && out.contains("\"number\"") && out.contains("\"name\""), "{out}");

    // Three wrong PINs: the card answers the tries left, then locks; the card file keeps it.
    let (_, out) = login("0000");
    assert!(out.contains("2 tries left"), "{out}");
    let (_, out) = login("0000");
    assert!(out.contains("1 tries left"), "{out}");
    let (_, out) = login("0000");
    assert!(out.contains("locked"), "{out}");
    let (ok, out) = login("1234");
    assert!(!ok && out.contains("locked"), "{out}");
    let (_, shown) = card(&["show", f], &[]);
    assert!(shown.contains("0 of 3 tries left"), "{shown}");
    // The card in the reader says the same, and shows its certificates.
    let (ok, shown) = card(&["show", "--reader", READER], &[]);
    assert!(ok && shown.contains("0 of 3 tries left") && shown.contains("serial"), "{shown}");
}
