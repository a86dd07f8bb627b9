#!/usr/bin/env bash
# Benchmark: send 100,000 recipients in batches of 500 (200 posts) to the local sandbox.
# Reports posts/second, wall time and the client's CPU time. Not part of `cargo test`.
#
#   benches/send.sh            # N=100000 by default; N=20000 benches/send.sh for a quick run
set -euo pipefail
N=${N:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin=$CARGO_TARGET_DIR/release/outdial
work=$(mktemp -d)
trap 'kill $sandbox 2>/dev/null || true; rm -rf "$work"' EXIT

# 100k inline numbers: 212-200-0000 upwards (valid NANP exchanges), one per line.
{
  printf '[campaign]\nname = "bench"\n\n[voiceshot]\nmenuid = "1-1234"\ncallerid = "8185550199"\nbatch_size = 500\n\n'
  printf '[[prompt]]\nid = 1\ntts = "This is a benchmark call."\n\n[recipients]\nwindow = "always"\nnumbers = [\n'
  seq 0 $((N - 1)) | awk '{ printf "  \"212%07d\",\n", 2000000 + $1 }'
  printf ']\n'
} > "$work/bench.toml"

"$bin" sandbox --port 0 --dial-delay 3600s > "$work/url" &
sandbox=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -1 "$work/url")

start=$(date +%s.%N)
/usr/bin/time -f '%e %U %S %M' -o "$work/time" \
  "$bin" -q send "$work/bench.toml" --yes --endpoint "$url" --journal "$work/journal.jsonl"
end=$(date +%s.%N)
read -r elapsed user sys maxrss < "$work/time"
calls=$(curl -s "${url%/ivrapi.asp}/_sandbox/health")
posts=$((N / 500))
awk -v n="$N" -v p="$posts" -v w="$(echo "$end - $start" | bc)" -v u="$user" -v s="$sys" -v m="$maxrss" 'BEGIN {
  printf "recipients: %d  posts: %d\nwall: %.2f s  posts/s: %.1f  calls/s: %.0f\nclient CPU: user %.2f s + sys %.2f s = %.2f s  max RSS: %.1f MiB\n",
    n, p, w, p / w, n / w, u, s, u + s, m / 1024 }'
echo "sandbox: $calls"
