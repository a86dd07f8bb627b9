#!/usr/bin/env bash
# Benchmark: the zone table's size and start-up cost (reading data/zones.tsv and looking its
# zones up in the bundled time-zone database, once per process, on the first number judged).
#
#   benches/zones.sh
set -euo pipefail
cd "$(dirname "$0")/.."
wc -c data/zones.tsv
cargo test --release --quiet --lib zones::tests::startup_cost -- --ignored --nocapture 2>&1 | grep "zone table"
