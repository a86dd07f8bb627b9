#!/usr/bin/env bash
# Benchmark: `outdial listen` under 10,000 Call Summaries posted by 16 concurrent clients,
# 1,000 of them posted twice. Prints posts/second, p50/p99 latency, the rows in the store
# (must be exactly 10,000 calls) and the listener's RSS (sampled every 0.5 s, and its peak).
#
#   benches/listen.sh          # the load
#   benches/listen.sh kill     # the same, with the listener killed (SIGKILL) mid-load and
#                              # restarted: every post that got a 2xx must be in the store
#
# Not part of `cargo test`. Needs python3 (standard library only).
set -euo pipefail
mode=${1:-load}
N=${N:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin=$CARGO_TARGET_DIR/release/outdial
work=$(mktemp -d)
# listen requires authentication: posts go to the token route.
OUTDIAL_LISTEN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export OUTDIAL_LISTEN_TOKEN
sandbox='' listener='' sampler=''
trap 'kill $sandbox $listener $sampler 2>/dev/null || true; rm -rf "$work"' EXIT

# N recipients (valid NANP numbers), sent to a sandbox that never dials, so the journal knows
# every call id and the summaries come from the load generator alone.
{
  printf '[campaign]\nname = "listen-bench"\n\n[voiceshot]\nmenuid = "1-1234"\nbatch_size = 500\n\n'
  printf '[[prompt]]\nid = 1\ntts = "This is a benchmark call."\n\n[recipients]\nwindow = "always"\nnumbers = [\n'
  seq 0 $((N - 1)) | awk '{ printf "  \"212%07d\",\n", 2000000 + $1 }'
  printf ']\n'
} > "$work/bench.toml"
"$bin" sandbox --port 0 --dial-delay 36000s > "$work/sandbox.url" &
sandbox=$!
for _ in $(seq 100); do [ -s "$work/sandbox.url" ] && break; sleep 0.1; done
sandbox_url=$(head -1 "$work/sandbox.url")
"$bin" -q send "$work/bench.toml" --endpoint "$sandbox_url" --yes

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
db=$work/results.db
start_listener() {
  "$bin" -q listen "$work/bench.toml" --bind "127.0.0.1:$port" --db "$db" > "$work/listen.url" 2> "$work/listen.log" &
  listener=$!
  for _ in $(seq 100); do [ -s "$work/listen.url" ] && break; sleep 0.05; done
}
sample_rss() {
  while kill -0 "$listener" 2>/dev/null; do
    awk '/VmRSS|VmHWM/ { printf "%s %d ", $1, $2 } END { print "" }' "/proc/$listener/status" 2>/dev/null || true
    sleep 0.5
  done
}
# check ACKED [N]: every call id in ACKED is in the store; with N, the store holds exactly N
# calls, once each.
check() {
  python3 - "$db" "$1" "${2:-}" <<'PY'
import sqlite3, sys
db, acked_path, n = sys.argv[1], sys.argv[2], sys.argv[3]
conn = sqlite3.connect(db)
calls = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
distinct = conn.execute("SELECT count(DISTINCT callid) FROM calls").fetchone()[0]
posts = conn.execute("SELECT count(*) FROM posts").fetchone()[0]
stored = {row[0] for row in conn.execute("SELECT callid FROM calls")}
acked = {line.strip() for line in open(acked_path) if line.strip()}
missing = acked - stored
print(f"store: {calls} calls ({distinct} distinct call ids), {posts} distinct posts")
print(f"acknowledged call ids: {len(acked)}, missing from the store: {len(missing)}")
ok = not missing and (not n or (calls == int(n) and distinct == int(n)))
print("OK" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
}

start_listener
sample_rss > "$work/rss" &
sampler=$!

: > "$work/acked"
python3 "$root/benches/listen_load.py" "$sandbox_url" "http://127.0.0.1:$port" "$work/acked" 16 1000 &
load=$!
if [ "$mode" = kill ]; then
  # Kill once about a third of the posts are acknowledged, then restart on the same port.
  while [ "$(wc -l < "$work/acked" 2>/dev/null || echo 0)" -lt $((N / 3)) ]; do sleep 0.05; done
  kill -KILL "$listener"
  wait "$listener" 2>/dev/null || true
  cp "$work/acked" "$work/acked-before-kill"
  echo "killed the listener (SIGKILL) after $(wc -l < "$work/acked-before-kill") acknowledged posts"
  echo "before the restart (the clients are retrying against a closed port):"
  check "$work/acked-before-kill"
  start_listener
  sample_rss >> "$work/rss" &
  sampler=$!
fi
wait "$load"
peak=$(awk '/VmHWM/ { print $2 }' "/proc/$listener/status")
kill -TERM "$listener"
wait "$listener" 2>/dev/null || true
kill "$sampler" 2>/dev/null || true

echo "listener RSS every 0.5 s (MiB): $(awk '{ for (i = 1; i < NF; i++) if ($i == "VmRSS:") printf "%d ", $(i + 1) / 1024 }' "$work/rss")"
echo "listener peak RSS (VmHWM, last process): $((peak / 1024)) MiB"
echo "after the load:"
check "$work/acked" "$N"
