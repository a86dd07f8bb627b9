#!/usr/bin/env bash
# Benchmark: `check` on the inputs that used to make it quadratic: 10,000 [[prompt]] entries
# with one id, and one TTS text with 20,000 uses of an undefined {x}. Human output (the
# expensive renderer) to /dev/null; best of RUNS runs, with the bytes of output.
#
#   benches/check.sh [RUNS]      (default 5)
#
# Target (issue 10): each under one second, output bounded (twenty problems of a kind).
set -euo pipefail
cd "$(dirname "$0")/.."
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
