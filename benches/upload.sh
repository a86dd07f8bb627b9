#!/usr/bin/env bash
# Benchmark: check a 100 MB WAV and encode it into a VoiceShot upload post, against coreutils
# base64 on the same file in the same run; peak memory of outdial.
#
#   benches/upload.sh [SIZE_MB]      (default 100)
#
# Targets (issue 3): at least as fast as `base64`, and peak RSS under 32 MB whatever the size.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-100}
runs=5

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/outdial
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A valid 8 kHz 16-bit mono WAV of SIZE_MB megabytes of (random) samples.
python3 - "$work/big.wav" "$size_mb" <<'PY'
import os, struct, sys
path, mb = sys.argv[1], int(sys.argv[2])
data = mb * 1_000_000
with open(path, "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE")
    f.write(b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16))
    f.write(b"data" + struct.pack("<I", data))
    chunk = os.urandom(1 << 20)
    for _ in range(data >> 20):
        f.write(chunk)
    f.write(chunk[: data % (1 << 20)])
PY
cat > "$work/campaign.toml" <<TOML
[campaign]
name = "upload-bench"
[voiceshot]
menuid = "1-1234"
max_upload_bytes = 2000000000
[[prompt]]
id = 1
audio = "big.wav"
[recipients]
numbers = ["8185550100"]
TOML
bytes=$(stat -c %s "$work/big.wav")

# Best of $runs wall time and the peak RSS of each tool, both writing to /dev/null.
measure() {
  local best=999999 rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
    read -r secs kb < "$work/time"
    best=$(python3 -c "print(min($best, $secs))")
    rss=$kb
  done
  echo "$best $rss"
}
read -r ours ours_kb < <(measure "$bin" compile "$work/campaign.toml" --action sounds)
read -r theirs theirs_kb < <(measure base64 "$work/big.wav")

# The post's base64 is exactly coreutils' (unwrapped), so it decodes to the file's bytes.
"$bin" compile "$work/campaign.toml" --action sounds | sed -e 's/.*bin.base64[^>]*>//' -e 's#</file>.*##' | tr -d '\n' > "$work/ours.b64"
base64 -w0 "$work/big.wav" > "$work/theirs.b64"
cmp -s "$work/ours.b64" "$work/theirs.b64" && same=yes || same=NO

python3 - "$bytes" "$ours" "$ours_kb" "$theirs" "$theirs_kb" "$same" <<'PY'
import sys
b, ours, okb, theirs, tkb, same = sys.argv[1], *map(float, sys.argv[2:6]), sys.argv[6]
b = int(b)
print(f"file: {b/1e6:.1f} MB WAV (best of 5 runs each, output to /dev/null)")
print(f"outdial compile --action sounds: {ours:.3f} s  {b/ours/1e6:7.0f} MB/s  peak RSS {okb/1024:.1f} MiB")
print(f"coreutils base64:                {theirs:.3f} s  {b/theirs/1e6:7.0f} MB/s  peak RSS {tkb/1024:.1f} MiB")
print(f"speed ratio (base64 time / outdial time): {theirs/ours:.2f}x")
print(f"encoded text identical to base64 -w0: {same}")
PY
