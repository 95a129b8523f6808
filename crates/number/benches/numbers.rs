//! `cargo bench -p myna-number`: validation and issuance throughput.
use divan::{Bencher, black_box};
use myna_number::{IndividualNumber, NumberIssuer};

fn main() {
    divan::main();
}

#[divan::bench]
fn validate_individual(b: Bencher) {
    b.bench(|| black_box("6214 9832 0257").parse::<IndividualNumber>());
}

#[divan::bench]
fn issue_individual(b: Bencher) {
    let iss = NumberIssuer::new(&[9u8; 32]).unwrap();
    let mut serial = 0u64;
    b.bench_local(|| {
        serial += 1;
        iss.individual(black_box(serial))
    });
}

/// Baseline: parsing the same 12 digits as a plain integer, no check digit.
#[divan::bench]
fn baseline_parse_u64(b: Bencher) {
    b.bench(|| black_box("621498320257").parse::<u64>());
}
