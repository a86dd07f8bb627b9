#!/usr/bin/env bash
# Benchmark: `outdial report` on a large campaign: ROWS recipients in a CSV, a results store
# holding 95% of them (70% reached with a key at prompt 1, 25% not reached, 5% pending) with
# times over a working day, no journal (the other 5% are never sent). The store is written
# with Python's sqlite3 from src/results/schema.sql, as `listen` would have filled it.
# Best of RUNS: wall time and peak RSS, CSV to /dev/null, then with --html and --retry.
#
#   benches/report.sh [ROWS] [RUNS]      (default 100000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-100000}
runs=${2:-3}

cargo build --release --quiet
bin=$PWD/${CARGO_TARGET_DIR:-target}/release/outdial
work=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

python3 - "$work" "$rows" src/results/schema.sql <<'PY'
import os, random, sqlite3, sys
work, n, schema = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(1)
# Exchanges 500-999 less the N11 service codes (511, 611, ...): valid numbers for any ROWS.
exchanges = [e for e in range(500, 1000) if e % 100 != 11]
def number_of(i):
    block, line = divmod(i, 10000)
    area, ex = divmod(block, len(exchanges))
    return f"{818 + area}{exchanges[ex]}{line:04d}"
with open(os.path.join(work, "contacts.csv"), "w") as f:
    f.write("number,first\n")
    for i in range(n):
        f.write(f"{number_of(i)},N{i}\n")
with open(os.path.join(work, "big.toml"), "w") as f:
    f.write('[campaign]\nname = "big"\n\n[voiceshot]\nmenuid = "1-1234"\nbatch_size = 500\n\n'
            '[vars]\nfirst = "there"\n\n[[prompt]]\nid = 1\ntts = "Hello {first}. Press 1."\n\n'
            '[[prompt]]\nid = 3\ntts = "Bye."\n\n[recipients]\ncsv = "contacts.csv"\n')
os.makedirs(os.path.join(work, ".outdial"))
db = sqlite3.connect(os.path.join(work, ".outdial", "results.db"))
db.executescript(open(schema).read())
db.execute("INSERT INTO meta VALUES ('schema_version', '1')")
calls, keys = [], []
for i in range(n * 95 // 100):
    number = number_of(i)
    r = random.random()
    status, outcome, reason = (("Successful", "reached", None) if r < 0.7 else
        ("Unsuccessful", "not-reached", random.choice(["Busy", "No Answer"])) if r < 0.95 else
        ("Pending", "pending", None))
    h, m = random.randrange(9, 17), random.randrange(60)
    at = f"6/1/2026 {h if h <= 12 else h - 12}:{m:02d}:00 {'AM' if h < 12 else 'PM'}"
    calls.append(("voiceshot", "big", "big" + number, number, status, outcome, reason, 30, None,
                  1, at, "summary", None, "2026-06-01T00:00:00Z"))
    if outcome == "reached":
        keys.append(("voiceshot", "big", "big" + number, number, 1, random.choice("12#"),
                     "summary", "2026-06-01T00:00:00Z"))
db.executemany("INSERT INTO calls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", calls)
db.executemany("INSERT INTO keypresses VALUES (?,?,?,?,?,?,?,?)", keys)
db.commit()
PY

best() {
  local label=$1
  shift
  local best=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>&1
    read -r s kb <"$work/time"
    if [ -z "$best" ] || awk "BEGIN{exit !($s < ${best%% *})}"; then best="$s $kb"; fi
  done
  echo "$label: ${best%% *} s, $(( ${best##* } / 1024 )) MB peak"
}
cd "$work"
best "report --format csv ($rows recipients)" "$bin" --format csv report big.toml
best "report --html --retry ($rows recipients)" "$bin" report big.toml --html r.html --retry retry.csv
