#!/usr/bin/env bash
# Plan-at-scale benchmark: `outdial plan` of a generated CSV campaign (benches/gen.py, batches
# of 500) under /usr/bin/time -v: wall time and peak RSS ("Maximum resident set size").
#
#   benches/plan.sh [ROWS]         default 10000000
#
# `plan` checks every row, dedupes and suppresses, then renders every post to count and hash
# it, streaming: the one structure that grows with the file is the dedupe set of distinct
# numbers (src/campaign/contacts/dedupe.rs: one packed u64 per number in a hash table, 9 bytes
# a slot at a load of at most 7/8; the script prints its size for the run's distinct count).
# Environment: BENCH_DIR (default /tmp/outdial-bench), BIN. Not part of `cargo test`.
set -euo pipefail
ROWS=${1:-10000000}
source "$(dirname "$0")/rows.sh"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# --journal to a path that does not exist: nothing recorded, nothing to compare.
/usr/bin/time -v "$BIN" --format json plan "$dir/campaign.toml" --journal "$log.none" \
    > "$log.out" 2> "$log" || { cat "$log" >&2; exit 1; }
recipients=$(grep -o '"recipients":[0-9]*' "$log.out" | tail -1 | cut -d: -f2)
suppressed=$(grep -o '"suppressed":[0-9]*' "$log.out" | tail -1 | cut -d: -f2)
rm -f "$log.out"
awk -F': ' -v rows="$ROWS" -v rec="$recipients" -v sup="$suppressed" '
    /Elapsed \(wall clock\)/ {n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i]}
    /Maximum resident set size/ {m = $2}
    END {
        distinct = rec + sup  # every distinct valid number: sent or suppressed
        slots = 1; while (slots * 7 / 8 < distinct) slots *= 2
        printf "rows: %d  recipients: %d  wall: %.2f s  peak RSS: %.1f MiB\n", rows, rec, w, m / 1024
        printf "dedupe set: %d slots x 9 bytes = %.0f MiB, %.1f bytes per distinct number (reserved once, from the length of the first rows; had that estimate been short, a doubling would hold %.0f MiB more while it lasted)\n", slots, slots * 9 / 1048576, slots * 9 / distinct, slots / 2 * 9 / 1048576
    }' "$log"
