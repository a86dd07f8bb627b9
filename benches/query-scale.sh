#!/usr/bin/env bash
# Query-at-scale benchmark: `outdial query` of a generated CSV campaign (benches/gen.py, the
# recipients mix of send-scale.sh, batches of 500) that was first sent to the local VoiceShot
# sandbox (untimed), with outcomes due at once: one Call Query (action 3) per post, every
# result printed (JSON Lines, to /dev/null) and written to a fresh results store.
#
#   benches/query-scale.sh [ROWS]        default 1000000
#
# Prints recipients, posts, wall time, the client's peak RSS and CPU time (`/usr/bin/time -v`),
# and the rows the store holds after. Environment: BENCH_DIR, BIN (see rows.sh). Not part of
# `cargo test`.
set -euo pipefail
ROWS=${1:-1000000}
source "$(dirname "$0")/rows.sh"
run=$(mktemp -d)
trap 'kill "$sandbox" 2>/dev/null || true; rm -rf "$run"' EXIT

"$BIN" sandbox --port 0 --dial-delay 0s > "$run/url" &
sandbox=$!
for _ in $(seq 100); do [ -s "$run/url" ] && break; sleep 0.1; done
url=$(head -1 "$run/url")
"$BIN" -q send "$dir/campaign.toml" --yes --endpoint "$url" --journal "$run/journal.jsonl" > /dev/null 2>&1

/usr/bin/time -v "$BIN" -q --format json query "$dir/campaign.toml" --endpoint "$url" \
    --db "$run/results.db" > /dev/null 2> "$run/time" || {
    echo "query failed:" >&2; cat "$run/time" >&2; exit 1
}
stored=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM calls").fetchone()[0])' "$run/results.db")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$run/time")
awk -F': ' -v rows="$ROWS" -v wall="$wall" -v stored="$stored" '
    /User time/ {u=$2} /System time/ {s=$2} /Maximum resident set size/ {m=$2}
    END {
        printf "rows: %d  stored: %d  wall: %.1f s\n", rows, stored, wall
        printf "query: peak RSS %.1f MiB, CPU user %.1f s + sys %.1f s\n", m / 1024, u, s
    }' "$run/time"
