#!/bin/sh
# The steps of examples/ci/outdial.yml, run locally end to end against `outdial sandbox`:
# check -> plan (markdown) -> plan --out -> send --plan --yes -> a re-run sends nothing.
#   examples/ci/local.sh [CAMPAIGN]      (OUTDIAL=path/to/outdial to use another binary)
set -eu
OUTDIAL=${OUTDIAL:-outdial}
CAMPAIGN=${1:-examples/outage-alert.toml}
work=$(mktemp -d)
sandbox_pid=
cleanup() {
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# The journal is what CI keeps between runs (a cache or artefact); here a temporary file.
journal="$work/journal.jsonl"

"$OUTDIAL" sandbox --port 0 >"$work/sandbox.url" &
sandbox_pid=$!
for _ in $(seq 50); do [ -s "$work/sandbox.url" ] && break; sleep 0.1; done
url=$(head -n 1 "$work/sandbox.url")
echo "sandbox: $url"

echo "== check"
"$OUTDIAL" check "$CAMPAIGN"

echo "== plan (the pull request comment)"
"$OUTDIAL" --format markdown plan "$CAMPAIGN" --journal "$journal" | tee "$work/plan.md"

echo "== plan --out (the reviewed plan)"
"$OUTDIAL" plan "$CAMPAIGN" --out "$work/plan.json" --endpoint "$url" --journal "$journal"

echo "== send --plan (on merge)"
"$OUTDIAL" send "$CAMPAIGN" --plan "$work/plan.json" --yes --endpoint "$url" --journal "$journal" --settle 50ms

echo "== nothing left to send"
status=0
"$OUTDIAL" -q plan "$CAMPAIGN" --detailed-exitcode --journal "$journal" || status=$?
[ "$status" -eq 0 ] || { echo "plan --detailed-exitcode exited $status after the send" >&2; exit 1; }

echo "== a re-run sends nothing"
"$OUTDIAL" send "$CAMPAIGN" --plan "$work/plan.json" --yes --endpoint "$url" --journal "$journal" --settle 50ms | tee "$work/rerun.txt"
grep -q "sent 0 numbers in 0 posts" "$work/rerun.txt"
echo "ok"
