#!/usr/bin/env bash
# Seeds fuzz/corpus/<target>/ from the test fixtures and the few seeds kept in fuzz/seeds/.
# The corpus itself is not committed: it grows with every run (see fuzz/.gitignore).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fixtures="$here/../tests/fixtures"
corpus="$here/corpus"

seed() { # seed TARGET FILE...: copies each file (skipping missing ones) under its own name
  local target="$1"
  shift
  mkdir -p "$corpus/$target"
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    # Keep seeds small: libFuzzer is run with -max_len, and big seeds only slow it down.
    [ "$(stat -c %s "$f")" -le 65536 ] || continue
    local rel="${f#"$fixtures"/}"
    cp "$f" "$corpus/$target/${rel//\//_}"
  done
}

shopt -s nullglob globstar
seed campaign "$fixtures"/**/*.toml "$here"/../examples/**/*.toml
seed wav "$fixtures"/audio/**/*.wav "$fixtures"/invalid/**/*.wav
seed reply "$fixtures"/voiceshot-docs/*.xml "$here"/seeds/reply/*
seed journal "$fixtures"/journal/* "$here"/seeds/journal/*
seed posts "$fixtures"/listen/* "$here"/seeds/posts/*
# phone: one number a file, in the shapes the fixtures and tests use.
mkdir -p "$corpus/phone"
i=0
for number in "8185550100" "(818) 555-0100" "+1 818 555 0100" "1-818-555-0100" "818.555.0100" \
  "[818] 555-0100" "818/555-0100" "+44 20 7946 0958" "+44 (0)20 7946 0958" "+49 30 901820" \
  "+33 1 23 45 67 89" "8185550100.0" "8.18555E+09" "818-555-0100 x12" "180-555-0460-1"; do
  printf '%s' "$number" >"$corpus/phone/seed-$i"
  i=$((i + 1))
done

# scrub: the first byte is the excerpt's length; pages that echo the request, its
# credentials (fuzz_targets/scrub.rs) in their forms, and URLs with userinfo.
mkdir -p "$corpus/scrub"
i=0
for page in 'password="Tr0ubadour4Horse"&user=acct42' \
  'Authorization: Basic YWNjdDQyOlRyMHViYWRvdXI0SG9yc2U=\r\nHost: x' \
  '<pw>Tr0ubadour4Horse</pw> http://gwuser:gw%40pass@127.0.0.1:9/call' \
  'error near pass=Tr0ubadour4Horse; retrying on http://u:p@h/ gw@pass Z3d1c2VyOmd3QHBhc3M='; do
  for len in 04 40 c8; do
    { printf "\\x$len"; printf '%s' "$page"; } >"$corpus/scrub/seed-$i-$len"
  done
  i=$((i + 1))
done

# csv_rows: the first byte picks the campaign's options (see fuzz_targets/csv_rows.rs); each
# fixture is seeded with a few option bytes.
mkdir -p "$corpus/csv_rows"
for f in "$fixtures"/csv/*.csv "$fixtures"/csv/*.txt "$here"/seeds/csv_rows/*; do
  name="$(basename "$f")"
  for options in 00 03 1e 3f; do
    { printf "\\x$options"; cat "$f"; } >"$corpus/csv_rows/$options-$name"
  done
done

for d in "$corpus"/*/; do
  printf '%-10s %4d seeds\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"
done
