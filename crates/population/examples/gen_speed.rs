//! `cargo run --release -p myna-population --example gen_speed -- 100000`: generation alone.
fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let today = time::macros::date!(2026 - 11 - 21);
    let start = std::time::Instant::now();
    let Some(mut g) = myna_population::Generator::new(1, today) else { return };
    let people = g.take(n);
    let s = start.elapsed().as_secs_f64();
    println!("{} residents generated in {s:.2} s = {:.0}/s", people.len(), people.len() as f64 / s);
}
