//! `myna`: the command line. Runs any node role, the demo country, the holder's and
//! clerk's tools, and the load scenarios. Each subcommand is a thin shell over a library.

mod cmd;

// glibc malloc spends a sixth of an eligibility check in malloc/free under the thread pool
// (BENCHMARKS.md); mimalloc is the usual answer.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "myna", version, about = "An open implementation of Japan's My Number infrastructure")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Individual numbers, corporate numbers, local government codes.
    #[command(subcommand)]
    Number(cmd::number::NumberCmd),
    /// Japanese addresses.
    #[command(subcommand)]
    Address(cmd::address::AddressCmd),
    /// Synthetic populations.
    #[command(subcommand)]
    Population(cmd::population::PopulationCmd),
    /// The holder's card tool, and the card calls of clerks and the loss hotline.
    #[command(subcommand)]
    Card(cmd::card::CardCmd),
    /// Run one node.
    #[command(subcommand)]
    Node(cmd::node::NodeCmd),
    /// A clerk's linkage tool: enrol a person, register a copy, query another agency.
    #[command(subcommand)]
    Link(cmd::link::LinkCmd),
    /// An organization's staff accounts on its agency node, each bound to a staff card.
    #[command(subcommand)]
    Staff(cmd::staff::StaffCmd),
    /// The hub's transparency log: check it only grew.
    #[command(subcommand)]
    Log(cmd::link::LogCmd),
    /// Documents issued by municipalities: check one offline.
    #[command(subcommand)]
    Doc(cmd::doc::DocCmd),
    /// A country of separate processes from a country file, under a supervisor.
    #[command(subcommand)]
    Country(cmd::country::CountryCmd),
    /// Generate a small country and run all its nodes on this machine.
    Demo(cmd::demo::DemoArgs),
    /// Load scenarios.
    #[command(subcommand)]
    Bench(cmd::bench::BenchCmd),
}

fn main() -> ExitCode {
    // sqlx warns of every statement over a second; a bulk load's index builds are minutes
    // each by design. Ask for them with MYNA_LOG=warn,sqlx::query=warn.
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("MYNA_LOG").unwrap_or_else(|_| "warn,sqlx::query=error".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // MYNA_LOG_FORMAT=json: one JSON object a line, for a log collector.
    if std::env::var("MYNA_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json().init();
    } else {
        logs.init();
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Number(c) => return c.run(),
        Command::Address(c) => c.run(),
        Command::Population(c) => cmd::runtime().and_then(|rt| rt.block_on(c.run())),
        Command::Card(c) => cmd::runtime().and_then(|rt| rt.block_on(c.run())),
        Command::Node(c) => {
            // Started by `myna country`'s supervisor: stop with it, never orphaned.
            if std::env::var_os(cmd::country::SUPERVISED_ENV).is_some() {
                let _ = rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::TERM));
            }
            cmd::runtime().and_then(|rt| rt.block_on(c.run()))
        }
        Command::Country(c) => cmd::runtime().and_then(|rt| rt.block_on(c.run())),
        Command::Link(c) => cmd::runtime().and_then(|rt| rt.block_on(c.run())),
        Command::Staff(c) => cmd::runtime().and_then(|rt| rt.block_on(c.run())),
        Command::Log(c) => cmd::runtime().and_then(|rt| rt.block_on(c.run())),
        Command::Doc(c) => c.run(),
        Command::Demo(a) => cmd::runtime().and_then(|rt| rt.block_on(a.run())),
        Command::Bench(c) => cmd::runtime().and_then(|rt| rt.block_on(c.run())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("myna: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use clap::Parser as _;

    /// What `myna country up` passes to each node of the demo's description is a command line
    /// `myna node` takes.
    #[test]
    fn every_node_of_the_demo_takes_its_arguments() {
        let text = crate::cmd::demo::describe::describe(7443, "st");
        let country = crate::cmd::country::Country::parse(&text, std::path::Path::new("/x")).unwrap();
        for n in &country.nodes {
            let args = std::iter::once("myna".to_string()).chain(country.args(n));
            if let Err(e) = super::Cli::try_parse_from(args) {
                panic!("{}: {e}", n.name);
            }
        }
    }
}
