#!/usr/bin/env bash
# fuzz/run.sh [SECONDS]: run every cargo-fuzz target for SECONDS each
# (default 30), with overflow checks and debug assertions on (-O -a), from
# the committed seeds (fuzz/seeds/TARGET) plus a working corpus
# (fuzz/corpus/TARGET, not committed). Prints each target's executions and
# exits non-zero on the first crash (the input lands in fuzz/artifacts/).
# Needs the nightly toolchain and cargo-fuzz; says so and exits 0 without
# them, so that CI on a machine without nightly is not failed by it.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-30}
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz: skipped: no nightly toolchain (rustup toolchain install nightly)"; exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: skipped: cargo-fuzz is not installed (cargo install cargo-fuzz)"; exit 0
fi
cargo +nightly fuzz build -O -a
for t in $(cargo +nightly fuzz list); do
  mkdir -p "corpus/$t"
  log=$(mktemp)
  if ! cargo +nightly fuzz run -O -a "$t" "corpus/$t" "seeds/$t" -- \
      -max_total_time="$secs" -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $t FAILED (input in fuzz/artifacts/$t/)"
    rm -f "$log"
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $t: ${runs:-?} executions in ${secs}s, no crash"
  rm -f "$log"
done
