#!/usr/bin/env bash
# Benchmark: `check` on the inputs that used to make it quadratic: 10,000 [[prompt]] entries
# with one id, and one TTS text with 20,000 uses of an undefined {x}. Human output (the
# expensive renderer) to /dev/null; best of RUNS runs, with the bytes of output.
#
#   benches/check.sh [RUNS]      (default 5)
#
# Target (issue 10): each under one second, output bounded (twenty problems of a kind).
#
#   OLD=/path/to/old/outdial benches/check.sh rows [ROWS] [RUNS]   (default 1000000, 5)
#
# `check` of a ROWS-row contact list (benches/gen.py's, with campaign.timezone set so that
# every row is judged by the protective hours, at a fixed --now inside them), this checkout's
# release binary against OLD's with hyperfine (RUNS runs each, one warm-up): the medians
# and their ratio. Target (issue 25): not slower than the binary before the calling rules
# (fdc7e3b) by more than 10%. The old binary, built apart:
#
#   git worktree add ../old fdc7e3b
#   (cd ../old && cargo build --release)
#   OLD=../old/target/release/outdial benches/check.sh rows 1000000 5
#
# On a busy machine wall times are noise; the instructions each binary runs are not:
#
#   OLD=../old/target/release/outdial benches/check.sh instructions [ROWS]
#
# runs both once under valgrind's callgrind and prints their instruction counts and ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = instructions ]; then
  ROWS=${2:-1000000}
  : "${OLD:?OLD=path of the outdial binary to compare with}"
  source benches/rows.sh
  grep -q '^timezone' "$dir/campaign.toml" ||
    sed -i 's/^name = "bench"$/name = "bench"\ntimezone = "America\/Chicago"/' "$dir/campaign.toml"
  count() {
    local out
    out=$(mktemp)
    valgrind --tool=callgrind --callgrind-out-file="$out" \
      "$1" check "$dir/campaign.toml" --now 2026-12-07T18:00:00Z >/dev/null 2>&1 || true
    grep -m1 '^summary:' "$out" | cut -d' ' -f2
    rm -f "$out"
  }
  old=$(count "$OLD")
  new=$(count "$BIN")
  python3 -c "import sys; o, n = int(sys.argv[1]), int(sys.argv[2]); print(f'check of {int(sys.argv[3]):,} rows: old {o:,} instructions, new {n:,}, new/old {n / o:.3f}')" "$old" "$new" "$ROWS"
  exit 0
fi
if [ "${1:-}" = rows ]; then
  ROWS=${2:-1000000}
  runs=${3:-5}
  : "${OLD:?OLD=path of the outdial binary to compare with}"
  source benches/rows.sh
  grep -q '^timezone' "$dir/campaign.toml" ||
    sed -i 's/^name = "bench"$/name = "bench"\ntimezone = "America\/Chicago"/' "$dir/campaign.toml"
  now=2026-12-07T18:00:00Z
  json=$(mktemp)
  trap 'rm -f "$json"' EXIT
  hyperfine -N -w 1 -r "$runs" -i --export-json "$json" \
    -n old "$OLD check $dir/campaign.toml --now $now" \
    -n new "$BIN check $dir/campaign.toml --now $now" >&2
  python3 - "$json" "$ROWS" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
old, new = r["old"]["median"], r["new"]["median"]
print(f"check of {int(sys.argv[2]):,} rows: old median {old:.3f} s, new median {new:.3f} s, "
      f"new/old {new / old:.3f} ({len(r['new']['times'])} runs each)")
PY
  exit 0
fi
runs=${1:-5}

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/outdial
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

head='[campaign]
name = "x"
[voiceshot]
menuid = "1-1"
[recipients]
numbers = ["8185550100"]'
{
  echo "$head"
  for _ in $(seq 10000); do printf '[[prompt]]\nid = 1\ntts = "a"\n'; done
} > "$work/duplicate-ids.toml"
{
  echo "$head"
  printf '[[prompt]]\nid = 1\ntts = "'
  for _ in $(seq 20000); do printf '{x} '; done
  printf '"\n'
} > "$work/undefined-vars.toml"

for input in duplicate-ids undefined-vars; do
  best=""
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    "$bin" check "$work/$input.toml" >/dev/null 2>"$work/out" || true
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%-16s best of %s: %.3f s, %s bytes of diagnostics\n' "$input" "$runs" "$best" "$(wc -c < "$work/out")"
done
