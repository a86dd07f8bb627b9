#!/usr/bin/env bash
# Makes docs/report.png, the README's picture of `outdial report --html`: the report fixture
# (30 recipients) sent to the VoiceShot sandbox in three waves a minute apart, two recipients
# added afterwards and never sent, the results fetched with `query` into the results store,
# the page written and photographed by headless Chromium. Takes about two and a half minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
bin=target/debug/outdial
fixture=tests/fixtures/report
work=$(mktemp -d)
sandbox=""
trap '[ -n "$sandbox" ] && kill "$sandbox"; rm -rf "$work"' EXIT
cp "$fixture/outage.toml" "$work/"
head -n 1 "$fixture/contacts.csv" >"$work/contacts.csv"
"$bin" sandbox --port 0 --dial-delay 0s --success-rate 0.7 --seed 3 >"$work/url" &
sandbox=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(head -n 1 "$work/url")
for wave in 0 1 2; do
  sed -n "$((2 + wave * 10)),$((11 + wave * 10))p" "$fixture/contacts.csv" >>"$work/contacts.csv"
  "$bin" send "$work/outage.toml" --yes --endpoint "$url" --settle 50ms -q
  [ "$wave" = 2 ] || sleep 65
done
printf '8185550177,Zed\n8185550178,Yan\n' >>"$work/contacts.csv"
"$bin" query "$work/outage.toml" --endpoint "$url" -q >/dev/null
"$bin" report "$work/outage.toml" --html "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size=820,1900 \
  --screenshot="$PWD/docs/report.png" "file://$work/report.html" 2>/dev/null
echo "wrote docs/report.png"
