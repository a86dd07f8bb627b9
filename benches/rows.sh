# Sourced by the benchmarks that run on a generated CSV campaign (compile.sh, plan.sh,
# send-scale.sh): builds this checkout's release binary unless BIN names one, and generates
# ROWS rows with benches/gen.py under BENCH_DIR (default /tmp/outdial-bench) once, in posts of
# 500 numbers (the issue's figures; gen.py writes 5000 for the compile-only benchmarks).
# Sets ROOT, WORK, BIN and dir; expects ROWS.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
WORK=${BENCH_DIR:-/tmp/outdial-bench}
if [ -z "${BIN:-}" ]; then
    cargo build --release --quiet
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/outdial
fi
dir=$WORK/rows-$ROWS
if [ ! -f "$dir/contacts.csv" ]; then
    python3 benches/gen.py "$ROWS" "$dir"
    sed -i 's/^batch_size = .*/batch_size = 500/' "$dir/campaign.toml"
fi
