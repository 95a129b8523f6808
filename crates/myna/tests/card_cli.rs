//! The holder's card tool against a running demo country: show, log in, sign and verify, a PIN
//! locked by wrong tries, the loss hotline.

mod common;

use std::time::{Duration, Instant};

use common::{card, card_number, demo, hotline_suspends};

/// The clerk system of the municipality that keeps the card holder's register (the demo made
/// its certificate in its network folder when it issued the card): read from the address in
/// the card's signing certificate.
fn clerk_of(show: &str) -> String {
    let line = show.lines().find(|l| l.contains("sex ")).expect("a signing certificate with the 4 items");
    let address = line.rsplit("  ").next().unwrap();
    format!("municipality:{}", myna_registry::Address::parse(address).unwrap().lg_code())
}

#[test]
fn holder_logs_in_signs_locks_and_reports_loss() {
    let (_demo, dir, port) = demo("card-cli");
    let cards = dir.join("cards");
    let start = Instant::now();
    let file = loop {
        let found = std::fs::read_dir(&cards).ok().and_then(|d| {
            d.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| p.extension().is_some_and(|x| x == "json"))
        });
        // The verifier starts before the cards are issued; wait until three exist.
        if let (Some(f), Ok(n)) = (found, std::fs::read_dir(&cards).map(|d| d.count())) {
            if n >= 3 {
                break f;
            }
        }
        assert!(start.elapsed() < Duration::from_secs(120), "demo did not issue cards");
        std::thread::sleep(Duration::from_millis(200));
    };
    std::thread::sleep(Duration::from_millis(500));
    let f = file.to_str().unwrap();
    let jlis = format!("https://localhost:{port}");
    let service = format!("https://localhost:{}", port + 1);
    let ca = dir.join("network/ca.pem");
    let ca = ca.to_str().unwrap();

    let (ok, out) = card(&["show", f], &[]);
    assert!(ok, "{out}");
    assert!(out.contains("3 of 3 tries left") && out.contains("5 of 5 tries left"), "{out}");
    let clerk = clerk_of(&out);
    const CLERK: &str = "municipality:131016";

    // The demo may still be starting its nodes after the cards exist (a loaded machine):
    // the first login is retried until the service answers.
    let login = || card(&["login", f, "--service", &service, "--jlis", &jlis, "--ca", ca], &[("MYNA_PIN", "1234")]);
    let (mut ok, mut out) = login();
    while !ok && start.elapsed() < Duration::from_secs(120) && !out.contains("PIN") {
        std::thread::sleep(Duration::from_millis(500));
        (ok, out) = login();
    }
    assert!(ok, "{out}");
    assert!(out.contains("logged in as "), "{out}");

    let doc = dir.join("application.txt");
    std::fs::write(&doc, "児童手当 現況届").unwrap();
    let (ok, out) = card(&["sign", f, doc.to_str().unwrap()], &[("MYNA_PASSWORD", "DEMO2026")]);
    assert!(ok, "{out}");
    let sig = dir.join("application.sig.json");
    let (ok, out) = card(&["verify", doc.to_str().unwrap(), sig.to_str().unwrap(), "--jlis", &jlis, "--ca", ca], &[]);
    assert!(ok && out.contains("valid: signed by"), "{out}");
    std::fs::write(&doc, "児童手当 現況届 (changed)").unwrap();
    let (ok, out) = card(&["verify", doc.to_str().unwrap(), sig.to_str().unwrap(), "--jlis", &jlis, "--ca", ca], &[]);
    assert!(!ok && out.contains("not valid"), "{out}");

    // Wrong PIN three times: tries count down, then locked, and the right PIN no longer works.
    let login =
        |pin: &str| card(&["login", f, "--service", &service, "--jlis", &jlis, "--ca", ca], &[("MYNA_PIN", pin)]);
    let (_, out) = login("0000");
    assert!(out.contains("2 tries left"), "{out}");
    let (_, out) = login("0000");
    assert!(out.contains("1 tries left"), "{out}");
    let (_, out) = login("0000");
    assert!(out.contains("locked"), "{out}");
    let (ok, out) = login("1234");
    assert!(!ok && out.contains("locked"), "{out}");

    // The municipality resets it after an identity check.
    let (ok, out) = card(
        &["reset", f, "--clerk", "窓口1", "--document", "運転免許証", "--jlis", &jlis, "--ca", ca, "--as", &clerk],
        &[("MYNA_NEW_SECRET", "4321")],
    );
    assert!(ok, "{out}");
    let (ok, out) = login("4321");
    assert!(ok, "{out}");

    // Lost: the hotline suspends it, and the next login is refused as revoked once the
    // verifier's CRL is refreshed (J-LIS answers signature checks at once).
    let number = card_number(&file);
    let other = if clerk == CLERK { "municipality:271004" } else { CLERK };
    let (ok, out) = card(&["suspend", "--card", &number, "--jlis", &jlis, "--ca", ca, "--as", other], &[]);
    assert!(!ok && out.contains("does not keep the register"), "another municipality suspends no card: {out}");
    let hotline = myna_jlis::HOTLINE;
    let (ok, out) = card(&["suspend", "--card", &number, "--jlis", &jlis, "--ca", ca, "--as", hotline], &[]);
    assert!(!ok && out.contains("operator signs in"), "the hotline's certificate alone names no operator: {out}");
    // The operator signs in with their staff card, and the card's record names them.
    let (ok, out) = hotline_suspends(&dir, &number, &jlis, ca, start);
    assert!(ok && out.contains("suspended") && out.contains("jlis_hotline:hotline.op1"), "{out}");
    let (ok, out) = card(&["sign", f, doc.to_str().unwrap()], &[("MYNA_PASSWORD", "DEMO2026")]);
    assert!(ok, "{out}");
    let (ok, out) = card(&["verify", doc.to_str().unwrap(), sig.to_str().unwrap(), "--jlis", &jlis, "--ca", ca], &[]);
    assert!(!ok && out.contains("revoked"), "{out}");

    // Another holder suspends their own card with it; once suspended, again is refused.
    let other = std::fs::read_dir(&cards)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p != &file && p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let o = other.to_str().unwrap();
    let (ok, out) = card(&["suspend-mine", o, "--jlis", &jlis, "--ca", ca], &[("MYNA_PIN", "1234")]);
    assert!(ok && out.contains("suspended"), "{out}");
    let (ok, out) = card(&["suspend-mine", o, "--jlis", &jlis, "--ca", ca], &[("MYNA_PIN", "1234")]);
    assert!(!ok, "a suspended card's certificate no longer signs for it: {out}");
}
