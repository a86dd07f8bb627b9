#!/usr/bin/env bash
# Benchmark: `diff` of two versions of a campaign whose CSV has ROWS rows, one row removed, one
# changed (another name, so another spoken text) and one added; against `check` of the same
# two files, which reads every row too. Best of 3 runs, wall time and peak RSS.
#
#   benches/diff.sh [ROWS]      (default 100000)
#
# The old side's recipients are held in memory with their spoken texts (see src/diff.rs), so
# memory grows with ROWS; the new side streams.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}

cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/outdial")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Valid distinct numbers: exchanges 220-289 (no N11 code), 700,000 per area code.
awk -v n="$rows" 'BEGIN {
  print "number,callid,name,day"
  split("Ann Bob Cy", names, " ")
  split("818 213 310 415 617 212 312", areas, " ")
  for (i = 0; i < n; i++)
    printf "%s%03d%04d,c%d,%s,%s\n", areas[int(i / 700000) + 1], 220 + int(i / 10000) % 70,
      i % 10000, i, names[i % 3 + 1], (i % 2 ? "Tue" : "Mon")
}' > "$work/old.csv"
awk 'NR == 502 { next } NR == 1002 { sub(/,(Ann|Bob|Cy),/, ",Zed,") } { print }
     END { print "8189999999,cnew,Eve,Fri" }' "$work/old.csv" > "$work/new.csv"
for side in old new; do
  cat > "$work/$side.toml" <<TOML
[campaign]
name = "big"
[voiceshot]
menuid = "1-1234"
[[prompt]]
id = 1
tts = "Hello {name}, see you {day}."
[recipients]
csv = "$side.csv"
TOML
done

cd "$work"
for what in "diff old.toml new.toml" "check old.toml new.toml"; do
  best=""
  for _ in 1 2 3; do
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %M" -o time.txt "$bin" $what >out.txt 2>err.txt || true
    # diff exits 2 (differences), check 0: anything else is a failed run, not a result.
    if grep -q "non-zero status [^2]" time.txt; then cat err.txt >&2; exit 1; fi
    # (time writes "Command exited with non-zero status 2" first: diff exits 2.)
    read -r secs kb < <(tail -n 1 time.txt)
    if [ -z "$best" ] || awk -v a="$secs" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$secs best_kb=$kb
    fi
  done
  echo "$what ($rows rows): ${best} s, $((best_kb / 1024)) MB peak"
  [ "${what%% *}" = diff ] && tail -n 1 out.txt
done
