#!/usr/bin/env bash
# Instructions, not seconds: `check`, `plan --offline` and `compile -o` of a generated ROWS-row
# CSV campaign (benches/gen.py, batches of 500, every row judged by the calling hours at a
# fixed --now inside them), each run once under valgrind's callgrind by this checkout's
# release binary and by OLD's. Prints both counts and their ratio per command. On a machine
# shared with builds, wall times are noise; these counts repeat to the last digits for the
# same binary and input, so a ratio off 1.000 is the code, not the machine.
#
#   OLD=/path/to/old/outdial benches/instructions.sh [ROWS]     (default 100000)
#
# The old binary, built apart:
#
#   git worktree add ../base <commit>
#   (cd ../base && cargo build --release --locked)
#   OLD=../base/target/release/outdial benches/instructions.sh
#
# Environment: BENCH_DIR (default /tmp/outdial-bench), BIN. Not part of `cargo test`.
set -euo pipefail
ROWS=${1:-100000}
: "${OLD:?OLD=path of the outdial binary to compare with}"
source "$(dirname "$0")/rows.sh"
grep -q '^timezone' "$dir/campaign.toml" ||
    sed -i 's/^name = "bench"$/name = "bench"\ntimezone = "America\/Chicago"/' "$dir/campaign.toml"
now=2026-12-07T18:00:00Z
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

count() { # instructions of one run of the command
    local out=$scratch/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$out" "$@" >/dev/null 2>&1 || true
    grep -m1 '^summary:' "$out" | cut -d' ' -f2
}

measure() { # NAME, then the arguments after the binary ({out} is a fresh folder)
    local name=$1 old new args
    shift
    args=("${@//\{out\}/$scratch/out-old}")
    old=$(count "$OLD" "${args[@]}")
    args=("${@//\{out\}/$scratch/out-new}")
    new=$(count "$BIN" "${args[@]}")
    python3 -c "import sys; o, n = int(sys.argv[2]), int(sys.argv[3]); print(f'{sys.argv[1]:<8} {int(sys.argv[4]):,} rows: old {o:,}, new {n:,} instructions, new/old {n / o:.4f}')" \
        "$name" "$old" "$new" "$ROWS"
}

measure check check "$dir/campaign.toml" --now "$now"
measure plan plan --offline "$dir/campaign.toml" --now "$now" --journal "$scratch/none.jsonl"
measure compile -q compile "$dir/campaign.toml" --now "$now" -o "{out}"
