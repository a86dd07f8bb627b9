#!/usr/bin/env bash
# Runs every fuzz target (or those named) for MINUTES each, at the lowest CPU priority, at
# most JOBS (default 2) at a time, then prints execs and crashes per target.
#
#   fuzz/run.sh [MINUTES] [TARGET...]      MINUTES defaults to 1
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a C++ compiler (g++ or clang++:
# libfuzzer-sys builds libFuzzer from source). No nightly toolchain is needed: the script runs
# cargo-fuzz on the stable one with RUSTC_BOOTSTRAP=1, which lets it pass its -Z flags. Set
# SANITIZER=none if AddressSanitizer fails to link (the default is address). Seeds the
# corpus from the fixtures first if it is missing (fuzz/seed.sh). Each target runs in
# libFuzzer's fork mode and goes on past a crash, a time-out (10 s for one input) or running
# out of memory (2 GiB); every such input is saved under fuzz/artifacts/<target>/. Logs go to
# fuzz/logs/<target>.log. Exits 1 if any target found something.
# The whole script is read before it runs (the braces), so editing it meanwhile is harmless.
{
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

minutes="${1:-1}"
shift || true
all=(campaign csv_rows wav reply journal phone posts scrub)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
jobs="${JOBS:-2}"

max_len() {
  case "$1" in
  reply) echo 4096 ;;
  phone) echo 64 ;;
  posts) echo 65536 ;;
  *) echo 8192 ;;
  esac
}

[ -d corpus ] || ./seed.sh >/dev/null
# Overflow checks and debug assertions on: an overflow is a bug even where release wraps.
export RUSTC_BOOTSTRAP=1
nice -n 10 cargo fuzz build --release --debug-assertions --sanitizer "${SANITIZER:-address}"
bin="$here/target/x86_64-unknown-linux-gnu/release"

# Temporary campaign, CSV and journal files go to memory, and are removed afterwards.
scratch="$(mktemp -d "${XDG_RUNTIME_DIR:-/dev/shm}/outdial-fuzz.XXXXXX" 2>/dev/null || mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p logs

# The bundled SQLite (the results store) is C compiled into the binary under the sanitizer,
# and AddressSanitizer takes its globals for a one-definition-rule violation at start-up and
# aborts before the first input: a false alarm for a C library linked once.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0"

run_one() {
  local target="$1"
  mkdir -p "corpus/$target" "artifacts/$target"
  find "artifacts/$target" -type f | sort >"$scratch/$target.before"
  local dict=()
  [ -f "dicts/$target.dict" ] && dict=("-dict=dicts/$target.dict")
  TMPDIR="$scratch" nice -n 19 "$bin/$target" "corpus/$target" "${dict[@]}" \
    -artifact_prefix="artifacts/$target/" \
    -max_total_time=$((minutes * 60)) -max_len="$(max_len "$target")" \
    -timeout=10 -rss_limit_mb=2048 \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -print_final_stats=1 >"logs/$target.log" 2>&1 || true
}

running=0
for target in "${targets[@]}"; do
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

status=0
printf '%-10s %7s %12s %9s %7s %7s\n' target minutes execs execs/s crashes corpus
for target in "${targets[@]}"; do
  # Fork mode reports "#EXECS: cov: … oom/timeout/crash: O/T/C time: …" as it goes.
  execs="$(grep -oE '^#[0-9]+:' "logs/$target.log" | tail -1 | tr -d '#:')"
  found="$(comm -13 "$scratch/$target.before" <(find "artifacts/$target" -type f | sort))"
  crashes="$(printf '%s' "$found" | grep -c . || true)"
  rate="?"
  [ -n "$execs" ] && rate=$((execs / (minutes * 60)))
  printf '%-10s %7s %12s %9s %7s %7s\n' "$target" "$minutes" "${execs:-?}" "$rate" "$crashes" \
    "$(find "corpus/$target" -type f | wc -l)"
  if [ "$crashes" -gt 0 ]; then
    status=1
    printf '%s\n' "$found" | sed 's/^/    /'
  fi
done
exit "$status"
}
