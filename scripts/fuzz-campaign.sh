#!/usr/bin/env bash
# The fuzz campaigns of fuzz/README.md: each target run until it has tried RUNS inputs
# (default 10,000,000) or an hour has passed, one at a time, keeping and minimizing its corpus
# (fuzz/corpus/<target>). Needs cargo-fuzz and a nightly toolchain (`rustup toolchain install
# nightly`; `cargo install cargo-fuzz`). Prints a line per target: inputs, seconds, corpus
# size, and a crash if one was found (its input in fuzz/artifacts/<target>/).
#
#   scripts/fuzz-campaign.sh [TARGET…]     all targets when none is named
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
runs=${RUNS:-10000000}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v myna-fuzz)
cargo +nightly fuzz build -O >/dev/null
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  start=$(date +%s)
  log="artifacts/$t.log"
  mkdir -p artifacts
  if cargo +nightly fuzz run -O "$t" "corpus/$t" -- -runs="$runs" -max_total_time=3600 -print_final_stats=1 >"$log" 2>&1; then
    outcome="no crash"
  else
    outcome="CRASH: $(grep -m1 -E 'panicked at|ERROR: libFuzzer' "$log" || echo see "$log")"
  fi
  inputs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cargo +nightly fuzz cmin -O "$t" "corpus/$t" >/dev/null 2>&1 || true
  echo "$t: ${inputs:-?} inputs in $(( $(date +%s) - start )) s, corpus $(ls "corpus/$t" | wc -l) files; $outcome"
done
