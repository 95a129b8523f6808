//! `cargo bench -p myna-text`: address normalization and name keys.
use divan::{Bencher, black_box};
use myna_text::{address::normalize, name_key};

fn main() {
    let _ = normalize("東京都"); // load the gazetteer outside the timed loops
    divan::main();
}

const INPUTS: [&str; 6] = [
    "東京都千代田区霞が関2丁目1番地2号",
    "千代田区霞ヶ関２－１－２ 中央合同庁舎",
    "北海道札幌市中央区北一条西二丁目一番地",
    "当別町太美町1番地",
    "大阪府大阪市北区梅田1-1-1 梅田ビル10階",
    "福島県伊達市梁川町字八幡1",
];

#[divan::bench]
fn normalize_mixed(b: Bencher) {
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % INPUTS.len();
        normalize(black_box(INPUTS[i]))
    });
}

#[divan::bench]
fn name_key_with_variants(b: Bencher) {
    b.bench(|| name_key(black_box("齋藤　さくら")));
}

/// Baseline: NFKC alone over the same inputs, the least any normalizer must do.
#[divan::bench]
fn baseline_nfkc(b: Bencher) {
    use unicode_normalization::UnicodeNormalization;
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % INPUTS.len();
        black_box(INPUTS[i]).nfkc().collect::<String>()
    });
}
