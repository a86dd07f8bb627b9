#!/usr/bin/env bash
# Benchmark: two `outdial listen` replicas behind one results store under 10,000 Call
# Summaries (1,000 of them posted twice) from 16 concurrent clients that go to the other
# replica when one fails, as a load balancer does. Replica one is killed (SIGKILL) once a
# third of the posts are acknowledged and not restarted. Prints posts/second and p50/p99
# latency (benches/listen_load.py), then checks the store: every acknowledged call in it,
# exactly 10,000 calls, each post filed once; and `report` from a third folder.
#
#   benches/listen-replicas.sh postgres   # the store in PostgreSQL (a throwaway cluster)
#   benches/listen-replicas.sh sqlite     # the same two processes on one results.db
#
# Not part of `cargo test`. Needs python3 (standard library only); postgres needs the
# PostgreSQL server (scripts/pg-throwaway.sh) and psql.
set -euo pipefail
backend=${1:?usage: benches/listen-replicas.sh postgres|sqlite}
N=${N:-10000}
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin=$CARGO_TARGET_DIR/release/outdial
work=$(mktemp -d)
OUTDIAL_LISTEN_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
export OUTDIAL_LISTEN_TOKEN
unset OUTDIAL_STATE
sandbox='' one='' two=''
trap 'kill $sandbox $one $two 2>/dev/null || true; rm -rf "$work"' EXIT

store_args=()
case $backend in
  postgres)
    admin=$(bash "$root/scripts/pg-throwaway.sh" start --watch $$ | tail -n 1)
    psql -q "$admin" -c 'CREATE DATABASE bench'
    # send keeps the journal there too: the replicas and the report are fresh folders.
    export OUTDIAL_STATE=${admin/\/postgres\?//bench?}
    ;;
  sqlite) store_args=(--db "$work/shared.db") ;;
  *) echo "unknown backend $backend" >&2; exit 64 ;;
esac

# The sandbox has a --state of its own (a file): not the store's.
env -u OUTDIAL_STATE "$bin" sandbox --port 0 --dial-delay 36000s > "$work/sandbox.url" &
sandbox=$!
for _ in $(seq 100); do [ -s "$work/sandbox.url" ] && break; sleep 0.1; done
sandbox_url=$(head -1 "$work/sandbox.url")
{
  printf '[campaign]\nname = "listen-bench"\n\n[voiceshot]\nmenuid = "1-1234"\nbatch_size = 500\n'
  printf 'endpoint = "%s"\n\n' "$sandbox_url"
  printf '[[prompt]]\nid = 1\ntts = "This is a benchmark call."\n\n[recipients]\nwindow = "always"\nnumbers = [\n'
  seq 0 $((N - 1)) | awk '{ printf "  \"212%07d\",\n", 2000000 + $1 }'
  printf ']\n'
} > "$work/bench.toml"
"$bin" -q send "$work/bench.toml" --endpoint "$sandbox_url" --yes

# Three folders with the campaign (and, for sqlite, its journal): two replicas, one report.
for f in one two third; do
  mkdir -p "$work/$f/.outdial"
  cp "$work/bench.toml" "$work/$f/"
  if [ "$backend" = sqlite ]; then cp "$work/.outdial/listen-bench.jsonl" "$work/$f/.outdial/"; fi
done

start() { # start FOLDER: a replica on a free port; prints nothing, sets $url
  "$bin" -q listen "$work/$1/bench.toml" --bind 127.0.0.1:0 "${store_args[@]}" \
    > "$work/$1.url" 2> "$work/$1.log" &
  echo $! > "$work/$1.pid"
  for _ in $(seq 100); do [ -s "$work/$1.url" ] && break; sleep 0.05; done
}
start one; one=$(cat "$work/one.pid")
start two; two=$(cat "$work/two.pid")
urls="$(head -1 "$work/one.url"),$(head -1 "$work/two.url")"

: > "$work/acked"
python3 "$root/benches/listen_load.py" "$sandbox_url" "$urls" "$work/acked" 16 1000 &
load=$!
while [ "$(wc -l < "$work/acked")" -lt $((N / 3)) ]; do sleep 0.05; done
kill -KILL "$one"
wait "$one" 2>/dev/null || true
echo "killed replica one (SIGKILL) after $(wc -l < "$work/acked") acknowledged posts; replica two takes the rest"
wait "$load"
kill -TERM "$two"
wait "$two" 2>/dev/null || true

# The store: calls, distinct call ids, distinct posts, history rows (one per filing).
case $backend in
  postgres)
    counts=$(psql -At "$OUTDIAL_STATE" -c "SELECT (SELECT count(*) FROM outdial_calls) || ' ' ||
      (SELECT count(DISTINCT callid) FROM outdial_calls) || ' ' ||
      (SELECT count(*) FROM outdial_posts) || ' ' || (SELECT count(*) FROM outdial_history)")
    psql -At "$OUTDIAL_STATE" -c "SELECT callid FROM outdial_calls" > "$work/stored" ;;
  sqlite)
    counts=$(python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); q = lambda s: c.execute(s).fetchone()[0]
print(q("SELECT count(*) FROM calls"), q("SELECT count(DISTINCT callid) FROM calls"),
      q("SELECT count(*) FROM posts"), q("SELECT count(*) FROM history"))
for (callid,) in c.execute("SELECT callid FROM calls"): print(callid, file=open(sys.argv[2], "a"))' \
      "$work/shared.db" "$work/stored") ;;
esac
read -r calls distinct posts history <<< "$counts"
missing=$(sort -u "$work/acked" | comm -23 - <(sort -u "$work/stored") | wc -l)
echo "store: $calls calls ($distinct distinct call ids), $posts distinct posts, $history filings"
echo "acknowledged call ids: $(sort -u "$work/acked" | wc -l), missing from the store: $missing"
reported=$(cd "$work/third" && "$bin" --format json report bench.toml "${store_args[@]}" | grep -c '"source":"summary"')
echo "report from a third folder: $reported recipients with a result"
if [ "$missing" = 0 ] && [ "$calls" = "$N" ] && [ "$distinct" = "$N" ] && [ "$posts" = "$N" ] \
  && [ "$history" = "$N" ] && [ "$reported" = "$N" ]; then
  echo OK
else
  echo FAILED
  exit 1
fi
