//! The supervisor behind `myna country up`: one OS process per node, each with its own log;
//! a node that exits is started again after a pause that grows while it keeps failing, and
//! every start, exit and restart is written to the status file `myna country status` reads.
//! SIGTERM (what `myna country down` sends) stops every node, then the supervisor.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::signal::unix::{SignalKind, signal};

use super::file::{Country, Node};

/// The first pause before a restart; it doubles while the node keeps failing.
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LONGEST_PAUSE: Duration = Duration::from_secs(30);
/// A node up this long has recovered: its next failure waits the first pause again.
const HEALTHY_AFTER: Duration = Duration::from_secs(60);
/// How long a stopping node has to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(10);
/// Set in every node the supervisor starts: the node stops when the supervisor dies.
pub const SUPERVISED_ENV: &str = "MYNA_SUPERVISED";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Running,
    /// Exited; starts again at `next_start`.
    Waiting,
    Stopped,
}

/// One line of the status file.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct NodeStatus {
    pub name: String,
    pub kind: String,
    pub listen: String,
    pub pid: Option<u32>,
    pub state: State,
    /// Times it was started again after exiting.
    pub restarts: u32,
    /// How its last run ended ("killed by signal 9", "exit status 1").
    pub last_exit: Option<String>,
    /// Unix seconds of its current run's start.
    pub since: Option<i64>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Status {
    pub supervisor: u32,
    pub nodes: Vec<NodeStatus>,
}

pub fn status_path(state: &Path) -> PathBuf {
    state.join("status.json")
}

pub fn pid_path(state: &Path) -> PathBuf {
    state.join("supervisor.pid")
}

struct Supervised {
    node: Node,
    args: Vec<String>,
    child: Option<Child>,
    started: Instant,
    pause: Duration,
    next_start: Option<Instant>,
    status: NodeStatus,
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        (None, None) => status.to_string(),
    }
}

impl Supervised {
    fn start(&mut self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.node.dir)?;
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.node.log())?;
        let exe = std::env::current_exe()?;
        let child = Command::new(exe)
            .args(&self.args)
            .env(SUPERVISED_ENV, "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        tracing::info!(node = %self.node.name, pid = child.id(), "started");
        self.status.pid = Some(child.id());
        self.status.state = State::Running;
        self.status.since = Some(myna_node::now_secs());
        self.child = Some(child);
        self.started = Instant::now();
        self.next_start = None;
        Ok(())
    }

    /// Notices an exit and plans the restart; true if anything changed.
    fn poll(&mut self) -> bool {
        let Some(child) = self.child.as_mut() else {
            if self.next_start.is_some_and(|t| Instant::now() >= t) {
                self.status.restarts += 1;
                if let Err(e) = self.start() {
                    self.status.last_exit = Some(format!("could not start: {e}"));
                    self.wait_again();
                }
                return true;
            }
            return false;
        };
        match child.try_wait() {
            Ok(Some(exit)) => {
                let how = describe(exit);
                tracing::warn!(node = %self.node.name, %how, "exited; starting it again");
                self.status.last_exit = Some(how);
                self.child = None;
                if self.started.elapsed() >= HEALTHY_AFTER {
                    self.pause = FIRST_PAUSE;
                }
                self.wait_again();
                true
            }
            Ok(None) | Err(_) => false,
        }
    }

    fn wait_again(&mut self) {
        self.status.pid = None;
        self.status.state = State::Waiting;
        self.status.since = None;
        self.next_start = Some(Instant::now() + self.pause);
        self.pause = (self.pause * 2).min(LONGEST_PAUSE);
    }

    fn signal(&self, sig: rustix::process::Signal) {
        if let Some(pid) = self.child.as_ref().and_then(|c| rustix::process::Pid::from_raw(c.id() as i32)) {
            let _ = rustix::process::kill_process(pid, sig);
        }
    }
}

fn write_status(state: &Path, nodes: &[Supervised]) -> std::io::Result<()> {
    let status = Status { supervisor: std::process::id(), nodes: nodes.iter().map(|n| n.status.clone()).collect() };
    let bytes = serde_json::to_vec_pretty(&status).map_err(std::io::Error::other)?;
    crate::cmd::card_file::write_atomic(&status_path(state), &bytes).map_err(std::io::Error::other)
}

/// Waits until `node` accepts connections on every address, or `within` passes.
pub async fn listening(node: &Node, within: Duration) -> bool {
    let start = Instant::now();
    for a in node.addresses() {
        while tokio::net::TcpStream::connect(a).await.is_err() {
            if start.elapsed() >= within {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    true
}

/// Runs the country until SIGTERM or SIGINT.
pub async fn supervise(country: Country) -> super::super::CmdResult {
    let state = country.state.clone();
    std::fs::create_dir_all(&state)?;
    crate::cmd::card_file::write_atomic(&pid_path(&state), std::process::id().to_string().as_bytes())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut nodes: Vec<Supervised> = country
        .nodes
        .iter()
        .map(|n| Supervised {
            args: country.args(n),
            node: n.clone(),
            child: None,
            started: Instant::now(),
            pause: FIRST_PAUSE,
            next_start: None,
            status: NodeStatus {
                name: n.name.clone(),
                kind: n.role.kind().into(),
                listen: n.listen.to_string(),
                pid: None,
                state: State::Waiting,
                restarts: 0,
                last_exit: None,
                since: None,
            },
        })
        .collect();
    // In the file's order, each given a while to listen before the next (J-LIS and the hub
    // first: the others reach them as they start); one that fails is retried like a crash.
    for i in 0..nodes.len() {
        if let Err(e) = nodes[i].start() {
            nodes[i].status.last_exit = Some(format!("could not start: {e}"));
            nodes[i].wait_again();
        }
        write_status(&state, &nodes)?;
        let node = nodes[i].node.clone();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            tokio::select! {
                up = listening(&node, Duration::from_millis(200)) => if up { break },
                _ = term.recv() => return stop(&state, nodes).await,
                _ = tokio::signal::ctrl_c() => return stop(&state, nodes).await,
            }
            // One that exits at once (a port taken, a database refused) is not waited for.
            if nodes[i].poll() {
                write_status(&state, &nodes)?;
            }
            if nodes[i].child.is_none() || Instant::now() >= deadline {
                break;
            }
        }
    }
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                let mut changed = false;
                for n in nodes.iter_mut() {
                    changed |= n.poll();
                }
                if changed {
                    write_status(&state, &nodes)?;
                }
            }
            _ = term.recv() => return stop(&state, nodes).await,
            _ = tokio::signal::ctrl_c() => return stop(&state, nodes).await,
        }
    }
}

async fn stop(state: &Path, mut nodes: Vec<Supervised>) -> super::super::CmdResult {
    for n in &nodes {
        n.signal(rustix::process::Signal::TERM);
    }
    let start = Instant::now();
    for n in nodes.iter_mut() {
        if let Some(mut c) = n.child.take() {
            loop {
                match c.try_wait() {
                    Ok(Some(exit)) => {
                        n.status.last_exit = Some(describe(exit));
                        break;
                    }
                    Ok(None) if start.elapsed() < STOP_GRACE => tokio::time::sleep(Duration::from_millis(50)).await,
                    _ => {
                        let _ = c.kill();
                        let _ = c.wait();
                        n.status.last_exit = Some("killed after the grace period".into());
                        break;
                    }
                }
            }
        }
        n.status.pid = None;
        n.status.since = None;
        n.status.state = State::Stopped;
    }
    write_status(state, &nodes)?;
    let _ = std::fs::remove_file(pid_path(state));
    Ok(())
}
