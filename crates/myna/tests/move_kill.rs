//! 引越しワンストップ with either municipality's node killed (SIGKILL) in the middle of a load of
//! applications and started again: the portal sends each application again until it is
//! taken, and each is one move — one 転出 per resident at J-LIS, one 転出届 at 千代田区's desk
//! and one 転入予約 at 大阪市's per application.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding as _};
use myna_link::{Enrolment, MoveApplication, Movers, PushKind, SignedInstruction};
use myna_testnet::TestNet;
use serde_json::Value;

fn municipality(net: &TestNet, lg: &str, name: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_myna"))
        .args(["node", "agency", "--id", &format!("municipality:{lg}"), "--name", name])
        .args(["--listen", &format!("127.0.0.1:{port}"), "--hub", &net.hub.url(), "--jlis", &net.jlis.url()])
        .arg("--network")
        .arg(&net.dir)
        .arg("--db")
        .arg(format!("sqlite://{}", net.dir.join(format!("{lg}.db")).display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn rows(net: &TestNet, lg: &str, role: &str) -> i64 {
    let db = myna_store::Db::open(&format!("sqlite://{}", net.dir.join(format!("{lg}.db")).display())).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM moves WHERE role = $1").bind(role).fetch_one(&db.pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_application_is_one_move_when_either_municipality_is_killed() {
    const N: usize = 16;
    let net = TestNet::start("move-kill", 9).await;
    let mut people = Vec::new();
    for i in 0..N {
        people.push(net.born(&format!("b{i}"), &format!("転居 花子{i}"), "テンキョ ハナコ").await);
    }
    let (portal, _inbox) = net.portal().await;
    for (i, p) in people.iter().enumerate() {
        let serial = myna_pki::CardCert::parse(&Base64::decode_vec(&p.card.cert).unwrap()).unwrap().serial.to_string();
        portal.enrol(&format!("p{i}"), Enrolment::Certificate { user_auth_serial: serial }).await.unwrap();
    }
    // The municipalities' certificates exist before their processes start.
    for id in ["municipality:131016", "municipality:271004"] {
        net.identity(id);
    }
    let base = myna_testkit::free_ports(2);
    let mut chiyoda = municipality(&net, "131016", "千代田区", base);
    let mut osaka = municipality(&net, "271004", "大阪市", base + 1);

    let today = myna_node::today_jst().to_string();
    let taken = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let app = MoveApplication {
            movers: Movers::Named { names: vec![] },
            to: format!("大阪府大阪市北区梅田一丁目{}番1号", i % 12 + 1),
            on: today.clone(),
            visit: today.clone(),
            contact: "090-0000-0000".into(),
            at: myna_node::now_secs(),
        };
        let bytes = app.bytes();
        let (certificate, signature) = p.card.sign_document(&bytes);
        let plain =
            serde_json::to_vec(&SignedInstruction { certificate, message: Base64::encode_string(&bytes), signature })
                .unwrap();
        let (portal, taken) = (portal.clone(), taken.clone());
        tasks.push(tokio::spawn(async move {
            for (to, kind) in [("municipality:131016", PushKind::MoveOut), ("municipality:271004", PushKind::MoveIn)] {
                let to: myna_link::AgencyId = to.parse().unwrap();
                let start = Instant::now();
                // Sent again until taken, as the resident would (the same signed bytes).
                while let Err(e) = portal.push(&format!("p{i}"), &to, kind, &plain, 0).await {
                    assert!(start.elapsed() < Duration::from_secs(90), "p{i} {kind:?} never taken: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                taken.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    // Kill each in the middle of the load, and start it again on the same database.
    let wait_for = |n: usize| {
        let taken = taken.clone();
        async move {
            let start = Instant::now();
            while taken.load(Ordering::SeqCst) < n {
                assert!(start.elapsed() < Duration::from_secs(120), "stuck at {} of {n}", taken.load(Ordering::SeqCst));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    wait_for(N / 2).await;
    chiyoda.kill().unwrap();
    chiyoda.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    chiyoda = municipality(&net, "131016", "千代田区", base);
    wait_for(N).await;
    osaka.kill().unwrap();
    osaka.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    osaka = municipality(&net, "271004", "大阪市", base + 1);
    for t in tasks {
        t.await.unwrap();
    }

    // One 転出 each at J-LIS, one application each at each desk.
    for p in &people {
        let r = net.clerk.get(format!("{}/v1/residents/{}/history", net.jlis.url(), p.code)).send().await.unwrap();
        let h: Vec<Value> = r.json().await.unwrap();
        let outs = h.iter().filter(|e| e["kind"] == "move_out").count();
        assert_eq!(outs, 1, "{}: {h:?}", p.code);
    }
    assert_eq!(rows(&net, "131016", "out").await, N as i64);
    assert_eq!(rows(&net, "271004", "in").await, N as i64);
    let _ = chiyoda.kill();
    let _ = osaka.kill();
}
