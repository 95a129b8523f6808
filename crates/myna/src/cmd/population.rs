use std::{path::PathBuf, time::Instant};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use myna_jlis::store::RegistryStore;
use myna_population::Generator;
use myna_registry::NewResident;
use myna_store::Db;
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
    /// Of `seconds`, the time spent building indexes after a bulk load.
    pub index_seconds: f64,
    pub seconds: f64,
    pub samples: Vec<NewResident>,
    /// Every resident's individual number, in load order, when asked for.
    pub numbers: Vec<u64>,
}

/// Generates `n` residents for `seed` and loads them in batches, one transaction each,
/// with a progress bar on standard error. Generation runs on a thread of its own, a batch
/// ahead of the database. Into an empty registry the load runs in bulk mode (indexes built
/// once at the end, see `RegistryStore::begin_bulk`).
pub async fn load(
    store: &RegistryStore,
    seed: u64,
    n: u64,
    today: Date,
    samples_every: u64,
) -> Result<Loaded, Box<dyn std::error::Error>> {
    load_within(store, (seed, None, false), n, today, samples_every).await
}

/// [`load`], of people only in the municipalities `places` names (the demo's country), keeping
/// every number given when `keep_numbers`.
pub async fn load_within(
    store: &RegistryStore,
    (seed, places, keep_numbers): (u64, Option<&[&str]>, bool),
    n: u64,
    today: Date,
    samples_every: u64,
) -> Result<Loaded, Box<dyn std::error::Error>> {
    // Into an empty registry, bulk mode; one that has residents keeps its indexes.
    let bulk = store.is_empty().await?;
    if bulk {
        store.begin_bulk().await?;
    }
    let bar = ProgressBar::new(n);
    bar.set_style(ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} residents, {per_sec}, eta {eta}")?);
    bar.set_message("loading");
    let start = Instant::now();
    let batches = Batches::spawn(generator(seed, today, places)?, n)?;
    let mut done = 0u64;
    let mut samples = Vec::new();
    let mut numbers = Vec::new();
    let mut households_total = 0u64;
    while let Some(batch) = batches.next() {
        let base = store.reserve_households(batch.households).await?;
        let loaded = store.load(&batch.people, base, today).await?;
        if keep_numbers {
            numbers.extend(loaded.iter().map(|r| r.number.value()));
        }
        keep_samples(&mut samples, &batch.people, done, samples_every);
        done += batch.people.len() as u64;
        households_total += batch.households;
        bar.set_position(done);
    }
    batches.finish()?;
    let indexing = Instant::now();
    if bulk {
        bar.set_message("indexing");
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        store.finish_bulk().await?;
    }
    bar.finish_and_clear();
    if done < n {
        return Err(format!("the generator stopped after {done} of {n} residents").into());
    }
    Ok(Loaded {
        residents: done,
        households: households_total,
        index_seconds: indexing.elapsed().as_secs_f64(),
        seconds: start.elapsed().as_secs_f64(),
        samples,
        numbers,
    })
}

/// Keeps every `every`-th person of a batch that starts at resident `done`.
fn keep_samples(samples: &mut Vec<NewResident>, people: &[NewResident], done: u64, every: u64) {
    if every == 0 {
        return;
    }
    for (i, p) in people.iter().enumerate() {
        if (done + i as u64).is_multiple_of(every) {
            samples.push(p.clone());
        }
    }
}

/// The samples [`load`] would keep for the same arguments, without loading anything: for
/// looking up residents of a registry loaded earlier (the generator is deterministic).
pub fn regenerate_samples(
    seed: u64,
    n: u64,
    today: Date,
    samples_every: u64,
) -> Result<Vec<NewResident>, Box<dyn std::error::Error>> {
    let batches = Batches::spawn(generator(seed, today, None)?, n)?;
    let (mut samples, mut done) = (Vec::new(), 0u64);
    while let Some(batch) = batches.next() {
        keep_samples(&mut samples, &batch.people, done, samples_every);
        done += batch.people.len() as u64;
    }
    batches.finish()?;
    Ok(samples)
}

/// Batches from a generator running on a thread of its own, up to two ahead of the reader.
struct Batches {
    rx: std::sync::mpsc::Receiver<Batch>,
    producer: std::thread::JoinHandle<Result<(), &'static str>>,
}

impl Batches {
    fn spawn(mut generator: Generator, n: u64) -> Result<Self, Box<dyn std::error::Error>> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(2);
        let producer = std::thread::spawn(move || generate(&mut generator, n, &tx));
        Ok(Self { rx, producer })
    }

    /// The next batch; `None` once the generator has sent everything (or stopped).
    fn next(&self) -> Option<Batch> {
        self.rx.recv().ok()
    }

    /// Stops reading and reports the generator's own failure, if it had one.
    fn finish(self) -> Result<(), Box<dyn std::error::Error>> {
        drop(self.rx);
        Ok(self.producer.join().map_err(|_| "the population generator thread failed")??)
    }
}

fn generator(seed: u64, today: Date, places: Option<&[&str]>) -> Result<Generator, Box<dyn std::error::Error>> {
    let g = match places {
        None => Generator::new(seed, today),
        Some(codes) => Generator::within(seed, today, codes),
    };
    Ok(g.ok_or("the shipped municipality data has no weights for these places")?)
}

/// Whole households, with `household_offset` counted from the batch's first household.
struct Batch {
    people: Vec<NewResident>,
    households: u64,
}

/// Sends batches of about `BATCH` residents, `n` in all, a household never split across two.
fn generate(generator: &mut Generator, n: u64, tx: &std::sync::mpsc::SyncSender<Batch>) -> Result<(), &'static str> {
    const BATCH: usize = 20_000;
    let mut sent = 0u64;
    while sent < n {
        let first_household = generator.households();
        let mut people: Vec<NewResident> = Vec::with_capacity(BATCH + 8);
        while people.len() < BATCH && sent + (people.len() as u64) < n {
            let h = generator.next_household();
            if h.is_empty() {
                return Err("the generator produced an empty household");
            }
            people.extend(h);
        }
        people.truncate((n - sent) as usize);
        for p in people.iter_mut() {
            p.household_offset -= first_household;
        }
        sent += people.len() as u64;
        let households = generator.households() - first_household;
        if tx.send(Batch { people, households }).is_err() {
            return Ok(()); // the loader stopped; its error is the one to report
        }
    }
    Ok(())
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
