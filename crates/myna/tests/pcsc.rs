//! A card over the real smart-card stack (feature `pcsc`; scripts/test.sh installs and starts
//! pcscd with Debian's vsmartcard-vpcd): a demo card served by `myna card emulate` in the
//! virtual reader, and the holder's tool reaching it through pcsc-lite as it would a My Number
//! Card — listed, logged in with, signing, and three wrong PINs locking it, the tries reported
//! by the card's own answers and kept in the card.
#![cfg(feature = "pcsc")]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Running, card, card_number, demo};

const READER: &str = "Virtual PCD 00 00";
/// vpcd's second slot, for the cards that go wrong.
const SLOT2: &str = "Virtual PCD 00 01";
const SLOT2_PORT: &str = "127.0.0.1:35964";

/// `myna card emulate ARGS` in the background, until dropped.
fn emulate(args: &[&str]) -> Running {
    let child = Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["card", "emulate"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Running(child, None)
}

/// Waits until `reader` holds a card (`true`) or is empty (`false`).
fn wait_reader(reader: &str, present: bool) {
    let start = Instant::now();
    let state = if present { "card present" } else { "empty" };
    loop {
        let (_, out) = card(&["readers"], &[]);
        if out.lines().any(|l| l.starts_with(reader) && l.ends_with(state)) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{reader} is not {state}: {out}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_holder_s_tool_uses_the_card_through_pcsc() {
    let (ok, out) = card(&["readers"], &[]);
    assert!(ok && out.contains(READER), "pcscd with vsmartcard-vpcd is needed (scripts/test.sh starts it): {out}");

    let (_demo, dir, port) = demo("pcsc");
    let file = dir.join("cards").join("resident1.card.json");
    let start = Instant::now();
    common::wait_issued(&file, start);
    let f = file.to_str().unwrap();
    let _emulator = emulate(&[f]);
    wait_reader(READER, true);
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
    let in_slot2 = || {
        card(&["login", "--reader", SLOT2, "--service", &service, "--jlis", &jlis, "--ca", ca], &[("MYNA_PIN", "1234")])
    };
    let (ok, out) = in_slot2();
    assert!(!ok && out.contains("holds no card"), "{out}");
    let (ok, out) = card(&["login", "--reader", "No Such Reader", "--service", &service], &[("MYNA_PIN", "1234")]);
    assert!(!ok && out.contains("no reader named"), "{out}");
    // A card of another kind there: not a My Number Card.
    {
        let _foreign = emulate(&["--foreign", "--vpcd", SLOT2_PORT]);
        wait_reader(SLOT2, true);
        let (ok, out) = in_slot2();
        assert!(!ok && out.contains("not a My Number Card"), "{out}");
    }
    wait_reader(SLOT2, false);
    // Another resident's card pulled out after three commands, in the middle of the login.
    {
        let other = dir.join("cards").join("resident2.card.json");
        common::wait_issued(&other, start);
        let _pulled = emulate(&[other.to_str().unwrap(), "--vpcd", SLOT2_PORT, "--remove-after", "3"]);
        wait_reader(SLOT2, true);
        let (ok, out) = in_slot2();
        assert!(!ok && out.contains("removed from the reader"), "{out}");
    }

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

    // The holder suspends it with the card in the reader, and what the chip signs after is refused.
    let number = card_number(&file);
    let (ok, out) = card(
        &["suspend-mine", "--reader", READER, "--card", &number, "--jlis", &jlis, "--ca", ca],
        &[("MYNA_PIN", "1234")],
    );
    assert!(ok && out.contains("suspended"), "{out}");
    let (ok, out) = card(&["sign", doc.to_str().unwrap(), "--reader", READER], &[("MYNA_PASSWORD", "DEMO2026")]);
    assert!(ok, "{out}");
    let (ok, out) = card(&["verify", doc.to_str().unwrap(), sig.to_str().unwrap(), "--jlis", &jlis, "--ca", ca], &[]);
    assert!(!ok && out.contains("revoked"), "{out}");

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
