use std::{path::PathBuf, time::Instant};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use myna_population::Generator;
use myna_registry::NewResident;
use myna_store::{Db, RegistryStore};
use time::Date;

use super::{CmdResult, default_state, random_key, today};

#[derive(Subcommand)]
pub enum PopulationCmd {
    /// Generates a synthetic country and loads it into the registry.
    Generate {
        #[arg(long)]
        residents: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Registry database (sqlite://PATH or postgres://…); default .myna/jlis.db.
        #[arg(long)]
        db: Option<String>,
        /// The day the population is generated for (YYYY-MM-DD); default today in Japan.
        #[arg(long)]
        today: Option<String>,
    },
}

/// A few residents kept aside while loading, for lookups (benchmarks, the demo's examples).
pub struct Loaded {
    pub residents: u64,
    pub households: u64,
    pub seconds: f64,
    pub samples: Vec<NewResident>,
}

/// Generates `n` residents for `seed` and loads them in batches, one transaction each,
/// with a progress bar on standard error.
pub async fn load(
    store: &RegistryStore,
    seed: u64,
    n: u64,
    today: Date,
    samples_every: u64,
) -> Result<Loaded, Box<dyn std::error::Error>> {
    const BATCH: usize = 20_000;
    let mut generator = Generator::new(seed, today).ok_or("the shipped municipality data has no weights")?;
    let bar = ProgressBar::new(n);
    bar.set_style(ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} residents, {per_sec}, eta {eta}")?);
    bar.set_message("loading");
    let start = Instant::now();
    let mut done = 0u64;
    let mut samples = Vec::new();
    // Households are reserved up front: a household never spans two batches' numbering.
    let mut batch: Vec<NewResident> = Vec::with_capacity(BATCH + 8);
    let mut households_total = 0u64;
    while done < n {
        batch.clear();
        let first_household = generator.households();
        while batch.len() < BATCH && done + (batch.len() as u64) < n {
            let h = generator.next_household();
            if h.is_empty() {
                return Err("the generator produced an empty household".into());
            }
            batch.extend(h);
        }
        batch.truncate((n - done) as usize);
        let households = generator.households() - first_household;
        let base = store.reserve_households(households).await?;
        for p in batch.iter_mut() {
            p.household_offset -= first_household;
        }
        store.load(&batch, base, today).await?;
        for (i, p) in batch.iter().enumerate() {
            if samples_every > 0 && (done + i as u64).is_multiple_of(samples_every) {
                samples.push(p.clone());
            }
        }
        done += batch.len() as u64;
        households_total += households;
        bar.set_position(done);
    }
    bar.finish_and_clear();
    Ok(Loaded { residents: done, households: households_total, seconds: start.elapsed().as_secs_f64(), samples })
}

pub fn db_url(db: Option<String>, file: &str) -> String {
    db.unwrap_or_else(|| {
        let dir: PathBuf = default_state();
        let _ = std::fs::create_dir_all(&dir);
        format!("sqlite://{}", dir.join(file).display())
    })
}

impl PopulationCmd {
    pub async fn run(self) -> CmdResult {
        let PopulationCmd::Generate { residents, seed, db, today: day } = self;
        let day = match day {
            Some(d) => myna_registry::parse_date(&d)?,
            None => today(),
        };
        let url = db_url(db, "jlis.db");
        let store = RegistryStore::open(Db::open(&url).await?, random_key).await?;
        let l = load(&store, seed, residents, day, 0).await?;
        println!(
            "loaded {} residents in {} households into {url} in {:.1} s ({:.0} residents/s)",
            l.residents,
            l.households,
            l.seconds,
            l.residents as f64 / l.seconds.max(1e-9)
        );
        Ok(())
    }
}
