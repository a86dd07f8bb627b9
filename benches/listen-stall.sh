#!/usr/bin/env bash
# Benchmark: `outdial listen` under 1,000 idle connections and 500 slow-loris peers (half
# trickling a request head, half a body, one byte a second, reconnecting when cut), while a
# real Call Summary is posted once a second. Prints how many real posts got 200, their
# latency (connect to reply), and whether each is in the store.
#
#   benches/listen-stall.sh                 # 1,000 idle, 500 slow, 20 real posts
#   IDLE=2000 SLOW=1000 benches/listen-stall.sh
#   PROFILE=debug benches/listen-stall.sh   # the debug build
#
# Not part of `cargo test`. Needs python3 (standard library only) and a descriptor limit
# above IDLE + SLOW + 100 for both processes (ulimit -n).
set -euo pipefail
IDLE=${IDLE:-1000}
SLOW=${SLOW:-500}
ROUNDS=${ROUNDS:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
# PROFILE=debug: the debug build (quicker to make; the stalls measured do not need speed).
PROFILE=${PROFILE:-release}
if [ "$PROFILE" = release ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
else
  cargo build --quiet --manifest-path "$root/Cargo.toml"
fi
bin=$CARGO_TARGET_DIR/$PROFILE/outdial
work=$(mktemp -d)
sandbox='' listener=''
trap 'kill $sandbox $listener 2>/dev/null || true; rm -rf "$work"' EXIT
OUTDIAL_LISTEN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export OUTDIAL_LISTEN_TOKEN

# ROUNDS recipients sent to a sandbox that never dials: the journal knows each call.
{
  printf '[campaign]\nname = "stall"\n\n[voiceshot]\nmenuid = "1-1234"\n\n'
  printf '[[prompt]]\nid = 1\ntts = "This is a benchmark call."\n\n[recipients]\nwindow = "always"\nnumbers = [\n'
  seq 0 $((ROUNDS - 1)) | awk '{ printf "  \"212%07d\",\n", 2000000 + $1 }'
  printf ']\n'
} > "$work/stall.toml"
"$bin" sandbox --port 0 --dial-delay 36000s > "$work/sandbox.url" &
sandbox=$!
for _ in $(seq 100); do [ -s "$work/sandbox.url" ] && break; sleep 0.1; done
sandbox_url=$(head -1 "$work/sandbox.url")
"$bin" -q send "$work/stall.toml" --endpoint "$sandbox_url" --yes
python3 - "${sandbox_url/\/ivrapi.asp/\/_sandbox\/calls}" > "$work/summaries" <<'PY'
import json, sys, urllib.request
for c in json.load(urllib.request.urlopen(sys.argv[1], timeout=60)):
    print(f'<campaign menuid="{c["menuid"]}" duration="12" phonenumber="{c["number"]}" '
          f'status="Successful" comment="Human Answer" callid="{c["callid"]}"/>')
PY

db=$work/results.db
"$bin" listen "$work/stall.toml" --bind 127.0.0.1:0 --db "$db" > "$work/listen.url" 2> "$work/listen.log" &
listener=$!
for _ in $(seq 100); do [ -s "$work/listen.url" ] && break; sleep 0.05; done
url=$(head -1 "$work/listen.url")
grep -o 'listening on .*' "$work/listen.log" | head -1
python3 "$root/benches/listen_stall.py" "${url#http://}" "$work/summaries" "$IDLE" "$SLOW" "$ROUNDS"
python3 - "$db" "$ROUNDS" <<'PY'
import sqlite3, sys
n = sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM calls").fetchone()[0]
print(f"store: {n} of {sys.argv[2]} real posts stored")
PY
echo "listener peak RSS: $(awk '/VmHWM/ { print $2, $3 }' "/proc/$listener/status")"
