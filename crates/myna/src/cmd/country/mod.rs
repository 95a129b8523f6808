//! `myna country up|status|down FILE`: a country of separate OS processes, one per node, each
//! organization with its own database, folder and log, under a supervisor that starts again
//! any node that exits.

mod file;
mod prometheus;
mod supervisor;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::Subcommand;
use myna_node::NodeIdentity;

pub use file::{Country, DEPOSIT_INSURANCE, Node, Role, benefits_identity};
pub use supervisor::SUPERVISED_ENV;
use supervisor::{State, Status, pid_path, status_path};

use super::CmdResult;

#[derive(Subcommand)]
pub enum CountryCmd {
    /// Starts every node of the country file under a supervisor in the background, and waits
    /// until each listens.
    Up {
        file: PathBuf,
        /// Supervise in this process instead (until Ctrl-C or SIGTERM).
        #[arg(long)]
        foreground: bool,
    },
    /// Each node: running or waiting to start again, its pid, restarts, how it last exited,
    /// and whether it answers on its port.
    Status {
        file: PathBuf,
        /// The status file as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stops every node (SIGTERM, then SIGKILL after 10 s) and the supervisor.
    Down { file: PathBuf },
    /// Prints a Prometheus scrape configuration for the country's nodes.
    Prometheus {
        file: PathBuf,
        /// The alert rules it loads (the repository's deploy/prometheus/alerts.yml).
        #[arg(long, default_value = "alerts.yml")]
        rules: String,
    },
    /// The supervisor itself (what `up` starts).
    #[command(hide = true)]
    Supervise { file: PathBuf },
}

/// Every node's certificate, made before any node starts (no two processes make the network's
/// CA at once), and put in the node's own folder with the CA's certificate: a node's process
/// can read its own key, not another organization's, nor the CA's.
fn provision(country: &Country) -> CmdResult {
    let network = country.network();
    NodeIdentity::load_or_create(&network, prometheus::MONITOR, &[])?;
    for n in &country.nodes {
        for name in n.role.identities() {
            let id = NodeIdentity::load_or_create(&network, &name, &[])?;
            let own = n.network();
            std::fs::create_dir_all(own.join(&name))?;
            std::fs::write(own.join("ca.pem"), &id.ca_pem)?;
            std::fs::write(own.join(&name).join("node.pem"), &id.cert_pem)?;
            myna_node::write_private(&own.join(&name).join("node.key"), &id.key_pem)?;
        }
    }
    Ok(())
}

/// The running supervisor's pid, if there is one: the pid file's process, if it still runs
/// (not a zombie nobody reaped) and is a supervisor (not another program given the pid since).
fn supervisor_pid(state: &Path) -> Option<rustix::process::Pid> {
    let raw: i32 = std::fs::read_to_string(pid_path(state)).ok()?.trim().parse().ok()?;
    let pid = rustix::process::Pid::from_raw(raw)?;
    rustix::process::test_kill_process(pid).ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{raw}/stat")).ok()?;
    let running = stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z'));
    let cmdline = std::fs::read(format!("/proc/{raw}/cmdline")).ok()?;
    let supervisor = cmdline.split(|b| *b == 0).any(|a| a == b"supervise" || a == b"--foreground");
    (running && supervisor).then_some(pid)
}

fn read_status(state: &Path) -> Result<Status, Box<dyn std::error::Error>> {
    let path = status_path(state);
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e} (was the country ever up?)", path.display()))?;
    Ok(serde_json::from_slice(&bytes)?)
}

async fn print_status(country: &Country) -> CmdResult {
    let status = read_status(&country.state)?;
    match supervisor_pid(&country.state) {
        Some(pid) => println!("supervisor pid {} (state in {})", pid.as_raw_nonzero(), country.state.display()),
        None => println!("supervisor not running (state in {})", country.state.display()),
    }
    println!(
        "{:<14} {:<9} {:<22} {:<8} {:>7} {:>8}  {:<9} last exit",
        "node", "kind", "listen", "state", "pid", "restarts", "answers"
    );
    // Each node's /healthz, asked with the network's monitor certificate (the hub asks every
    // caller for one): "ok", or the storage condition that makes it refuse writes.
    let monitor = NodeIdentity::load(&country.network(), prometheus::MONITOR)?.client()?;
    for (s, n) in status.nodes.iter().zip(&country.nodes) {
        let health = async {
            let url = format!("https://localhost:{}/healthz", n.listen.port());
            match monitor.get(url).timeout(Duration::from_secs(2)).send().await {
                Ok(r) if r.status().is_success() => "yes".to_string(),
                Ok(r) => format!("{}", r.status().as_u16()),
                Err(_) => "no".to_string(),
            }
        };
        let answers = if s.state == State::Running { health.await } else { "no".to_string() };
        println!(
            "{:<14} {:<9} {:<22} {:<8} {:>7} {:>8}  {:<9} {}",
            s.name,
            s.kind,
            s.listen,
            format!("{:?}", s.state).to_lowercase(),
            s.pid.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
            s.restarts,
            answers,
            s.last_exit.as_deref().unwrap_or("-"),
        );
    }
    Ok(())
}

impl CountryCmd {
    pub async fn run(self) -> CmdResult {
        match self {
            CountryCmd::Up { file, foreground } => {
                let country = Country::load(&file)?;
                if let Some(pid) = supervisor_pid(&country.state) {
                    return Err(format!(
                        "this country is up (supervisor pid {}); `myna country down {}` first",
                        pid.as_raw_nonzero(),
                        file.display()
                    )
                    .into());
                }
                std::fs::create_dir_all(&country.state)?;
                provision(&country)?;
                if foreground {
                    return supervisor::supervise(country).await;
                }
                let log =
                    std::fs::OpenOptions::new().create(true).append(true).open(country.state.join("supervisor.log"))?;
                use std::os::unix::process::CommandExt;
                let mut child = Command::new(std::env::current_exe()?)
                    .args(["country", "supervise"])
                    .arg(&file)
                    .stdin(Stdio::null())
                    .stdout(log.try_clone()?)
                    .stderr(log)
                    // Its own process group: a Ctrl-C meant for this command does not reach it.
                    .process_group(0)
                    .spawn()?;
                let start = Instant::now();
                for n in &country.nodes {
                    let left = Duration::from_secs(120).saturating_sub(start.elapsed());
                    if !supervisor::listening(n, left).await {
                        println!("{} did not start listening within 2 minutes: see {}", n.name, n.log().display());
                    }
                    if let Ok(Some(exit)) = child.try_wait() {
                        return Err(format!(
                            "the supervisor stopped ({exit}): see {}",
                            country.state.join("supervisor.log").display()
                        )
                        .into());
                    }
                }
                print_status(&country).await?;
                println!(
                    "\nlogs in {}/<node>/node.log; `myna country status {f}`; `myna country down {f}`",
                    country.state.display(),
                    f = file.display()
                );
                Ok(())
            }
            CountryCmd::Status { file, json } => {
                let country = Country::load(&file)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&read_status(&country.state)?)?);
                    return Ok(());
                }
                print_status(&country).await
            }
            CountryCmd::Down { file } => {
                let country = Country::load(&file)?;
                let Some(pid) = supervisor_pid(&country.state) else {
                    println!("the country is not up");
                    return Ok(());
                };
                rustix::process::kill_process(pid, rustix::process::Signal::TERM)?;
                let start = Instant::now();
                while supervisor_pid(&country.state).is_some() {
                    if start.elapsed() > Duration::from_secs(30) {
                        return Err(format!("the supervisor (pid {}) did not stop", pid.as_raw_nonzero()).into());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                println!("stopped");
                Ok(())
            }
            CountryCmd::Prometheus { file, rules } => {
                print!("{}", prometheus::config(&Country::load(&file)?, &rules));
                Ok(())
            }
            CountryCmd::Supervise { file } => supervisor::supervise(Country::load(&file)?).await,
        }
    }
}
