#!/usr/bin/env bash
# Send-at-scale benchmark: `outdial send` of a generated CSV campaign (benches/gen.py: mixed
# number shapes, templated TTS per recipient, 1% invalid skipped, 1% duplicates, a 10,000-number
# do-not-call list) in batches of 500 to the local VoiceShot sandbox (`outdial sandbox`).
#
#   benches/send-scale.sh [ROWS]        default 1000000; e.g. benches/send-scale.sh 10000000
#
# Prints, for one run: recipients and posts sent, wall time, posts/s, the client's peak RSS
# (`/usr/bin/time -v`, "Maximum resident set size") and CPU time, and the sandbox's peak RSS
# (VmHWM from /proc, read just before it is stopped).
#
# Environment: BENCH_DIR (default /tmp/outdial-bench; data is kept there for re-runs, remove it
# after), BIN (an outdial binary to measure instead of this checkout's release build),
# SANDBOX_BIN (the binary whose sandbox is run; default BIN: set it to compare an older client
# against this sandbox), DELAY (sandbox reply delay, e.g. 100ms; default none), SEND_ARGS
# (extra `send` arguments, e.g. "--concurrency 4"). Not part of `cargo test`.
set -euo pipefail
ROWS=${1:-1000000}
source "$(dirname "$0")/rows.sh"
run=$(mktemp -d)
trap 'kill "$sandbox" 2>/dev/null || true; rm -rf "$run"' EXIT

faults=()
[ -n "${DELAY:-}" ] && faults=(--faults "delay=$DELAY")
# Outcomes an hour away: the sandbox holds every call as accepted for the whole run.
"${SANDBOX_BIN:-$BIN}" sandbox --port 0 --dial-delay 3600s "${faults[@]}" > "$run/url" &
sandbox=$!
for _ in $(seq 100); do [ -s "$run/url" ] && break; sleep 0.1; done
url=$(head -1 "$run/url")

# shellcheck disable=SC2086
/usr/bin/time -v "$BIN" -q send "$dir/campaign.toml" --yes --endpoint "$url" \
    --journal "$run/journal.jsonl" ${SEND_ARGS:-} 2> "$run/time" || {
    echo "send failed:" >&2; cat "$run/time" >&2; exit 1
}
sandbox_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$sandbox/status")
health=$(curl -s "${url%/ivrapi.asp}/_sandbox/health")
posts=$(grep -c '"event":"intent"' "$run/journal.jsonl")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$run/time")
awk -F': ' -v rows="$ROWS" -v posts="$posts" -v wall="$wall" -v skb="$sandbox_kb" '
    /User time/ {u=$2} /System time/ {s=$2} /Maximum resident set size/ {m=$2}
    END {
        printf "rows: %d  posts: %d  wall: %.1f s  posts/s: %.1f\n", rows, posts, wall, posts / wall
        printf "client: peak RSS %.1f MiB, CPU user %.1f s + sys %.1f s\n", m / 1024, u, s
        printf "sandbox: peak RSS %.1f MiB\n", skb / 1024
    }' "$run/time"
echo "sandbox health: $health"
