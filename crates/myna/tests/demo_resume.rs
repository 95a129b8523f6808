//! The demo country's seeding killed half way (kill -9) and started again on the same folder:
//! it finishes, with nothing lost or duplicated: the same people and the same copies as a run
//! never interrupted.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use sqlx::{Connection, Row};

const RESIDENTS: &str = "20000";

fn demo(dir: &Path, port: u16) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_myna"));
    c.args(["demo", "--check", "--residents", RESIDENTS, "--port", &port.to_string(), "--dir", dir.to_str().unwrap()]);
    c
}

async fn table(db: &Path, sql: &str) -> Vec<(String, String)> {
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap();
    rows.iter().map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))).collect()
}

#[tokio::test]
async fn a_seeding_killed_half_way_finishes_with_nothing_lost_or_twice() {
    let base = std::env::temp_dir().join(format!("myna-demo-resume-{}", std::process::id()));
    let (cut, whole) = (base.join("cut"), base.join("whole"));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();

    // Killed once the registry is loaded and the agencies are being seeded.
    let mut child =
        demo(&cut, myna_testkit::free_ports(46)).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let start = Instant::now();
    while let Some(Ok(l)) = lines.next() {
        if l.contains("residents in") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the demo did not load its registry");
    }
    // Until the first agency's people are being written.
    let osaka = cut.join("municipality-271004/municipality-271004.db");
    loop {
        if osaka.exists()
            && let Ok(mut c) = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", osaka.display())).await
            && let Ok(r) = sqlx::query("SELECT COUNT(*) FROM agency_people").fetch_one(&mut c).await
            && r.get::<i64, _>(0) > 0
        {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the demo did not start seeding");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!cut.join("seeded").exists(), "killed before seeding finished (else this test proves nothing)");
    let some = table(&cut.join("municipality-271004/municipality-271004.db"), "SELECT person, code FROM agency_people")
        .await
        .len();

    // Started again: it finishes what it began.
    let out = demo(&cut, myna_testkit::free_ports(46)).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("reusing the country") && text.contains("enrolments at 27 agencies"),
        "{text}"
    );
    // A run never interrupted, for comparison.
    let out = demo(&whole, myna_testkit::free_ports(46)).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mut checked = 0;
    for node in ["municipality-271004", "municipality-131016", "pension_service", "health_insurer-01130012"] {
        // Each node's database in its folder, as the demo's country description puts it.
        let db = format!("{node}/{node}.db");
        // Codes are each country's own (its hub's key): people and copies are compared by the
        // agency's reference; that each person has one code is the table's own constraint.
        let people = "SELECT person, '' FROM agency_people ORDER BY person";
        let (a, b) = (table(&cut.join(&db), people).await, table(&whole.join(&db), people).await);
        assert!(!a.is_empty() && a == b, "{db}: the same people ({} and {})", a.len(), b.len());
        let copies =
            "SELECT p.person || '/' || c.item, c.body FROM agency_copies c JOIN agency_people p ON p.code = c.code
            ORDER BY p.person, c.item";
        let (a, b) = (table(&cut.join(&db), copies).await, table(&whole.join(&db), copies).await);
        assert!(!a.is_empty() && a == b, "{db}: the same copies ({} and {})", a.len(), b.len());
        checked += a.len();
    }
    assert!(checked > 10_000, "{checked} copies compared");
    eprintln!("the killed run had enrolled {some} people at 大阪市 before it was killed");
    let _ = std::fs::remove_dir_all(&base);
}
