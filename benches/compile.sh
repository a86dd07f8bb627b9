#!/usr/bin/env bash
# Compile-versus-disk benchmark: `outdial compile -o DIR` of a generated 1M-row CSV campaign
# (benches/gen.py; batches of 500, so about 1,950 files, 251 MB) against a baseline that does
# only the I/O: reads the same CSV and writes the same number of bytes into the same number of
# files (benches/disk_baseline.py). Runs alternate, RUNS of each (default 7) in the same run;
# the output folder is removed and the page cache flushed (sync) before each, untimed.
#
#   benches/compile.sh [ROWS]         default 1000000
#
# Prints both medians and their ratio (target: compile within 2x of the baseline).
# Environment: BENCH_DIR (default /tmp/outdial-bench), BIN (an outdial binary to measure
# instead of this checkout's release build), RUNS. Not part of `cargo test`.
set -euo pipefail
ROWS=${1:-1000000}
RUNS=${RUNS:-7}
source "$(dirname "$0")/rows.sh"
now=2026-12-01T14:00:00Z

wall() { # seconds of wall time of the command
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

# One compile first, outside the timing: it gives the sizes the baseline writes.
rm -rf "$dir/out"
"$BIN" -q compile "$dir/campaign.toml" --now "$now" -o "$dir/out"
files=$(find "$dir/out" -type f | wc -l)
bytes=$(find "$dir/out" -type f -printf '%s\n' | awk '{s += $1} END {print s}')

compile_t=()
base_t=()
for _ in $(seq "$RUNS"); do
    rm -rf "$dir/out"; sync
    compile_t+=("$(wall "$BIN" -q compile "$dir/campaign.toml" --now "$now" -o "$dir/out")")
    rm -rf "$dir/base"; sync
    base_t+=("$(wall python3 benches/disk_baseline.py "$dir/contacts.csv" "$dir/base" "$files" "$bytes")")
done
rm -rf "$dir/out" "$dir/base"

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
mc=$(median "${compile_t[@]}")
mb=$(median "${base_t[@]}")
echo "rows: $ROWS  files: $files  bytes: $bytes  runs: $RUNS each"
echo "compile -o: ${compile_t[*]}"
echo "baseline:   ${base_t[*]}"
ratios=()
for i in "${!compile_t[@]}"; do ratios+=("$(echo "${compile_t[$i]} / ${base_t[$i]}" | bc -l)"); done
mr=$(median "${ratios[@]}")
# The machine may be shared: the ratio of each back-to-back pair is steadier than the ratio
# of the medians when the load changes during the run.
awk -v c="$mc" -v b="$mb" -v r="$mr" 'BEGIN { printf "median compile %.3f s, median baseline %.3f s, ratio %.2fx (median of paired ratios %.2fx)\n", c, b, c / b, r }'
