//! What the card tests share: a demo country run as a child process, the holder's tool, and the
//! hotline operator the demo makes.
#![allow(dead_code)] // each test binary uses its part

pub mod births;
pub mod link;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed (and its folder removed) when dropped.
pub struct Running(pub Child, pub Option<PathBuf>);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
        if let Some(d) = &self.1 {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

/// `myna card ARGS` with only the secrets in `env`: whether it succeeded, and what it printed.
pub fn card(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_myna"));
    c.arg("card").args(args).env_remove("MYNA_PIN").env_remove("MYNA_PASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A demo country of 300 residents in a fresh folder named after `name`: the process, the
/// folder and the first of its 46 consecutive ports (demo::link::PORTS).
pub fn demo(name: &str) -> (Running, PathBuf, u16) {
    let dir = std::env::temp_dir().join(format!("myna-{name}-{}", std::process::id()));
    let port = myna_testkit::free_ports(46);
    let child = Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["demo", "--residents", "300", "--port", &port.to_string(), "--dir", dir.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    (Running(child, Some(dir.clone())), dir, port)
}

/// Waits until J-LIS has issued the card in `file`: the file is written when its keys are
/// made, before its certificates exist, and a resident's card once more with its face data.
pub fn wait_issued(file: &Path, start: Instant) {
    let resident = file.parent().is_some_and(|d| d.ends_with("cards"));
    let issued = || {
        std::fs::read(file)
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .is_some_and(|v| v["user_auth"]["certificate"].is_string() && (!resident || v["face"].is_object()))
    };
    while !issued() {
        assert!(start.elapsed() < Duration::from_secs(120), "the demo did not issue {}", file.display());
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The card number in a card file.
pub fn card_number(file: &Path) -> String {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    v["card_number"].as_str().unwrap().to_string()
}

/// The loss hotline suspends card `number`, its operator signed in with their staff card.
pub fn hotline_suspends(dir: &Path, number: &str, jlis: &str, ca: &str, start: Instant) -> (bool, String) {
    let operator = dir.join("staff/hotline-operator.card.json");
    wait_issued(&operator, start);
    card(
        &[
            "suspend",
            "--card",
            number,
            "--operator-card",
            operator.to_str().unwrap(),
            "--jlis",
            jlis,
            "--ca",
            ca,
            "--as",
            myna_jlis::HOTLINE,
        ],
        &[("MYNA_PIN", "1234")],
    )
}
