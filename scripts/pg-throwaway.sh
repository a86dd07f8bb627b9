#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests: initdb in a new temporary folder, a Unix socket in
# that folder and no TCP, trust authentication for the local `postgres` role.
#   scripts/pg-throwaway.sh start [--watch PID]   prints the admin URL on stdout's last line;
#                                                 with --watch, the cluster stops and its folder
#                                                 goes when process PID ends
#   scripts/pg-throwaway.sh restart DIR           pg_ctl restart (the tests of a restart mid-send)
#   scripts/pg-throwaway.sh stop DIR              stops the cluster and removes DIR
# As root it runs the server as the `postgres` user (initdb refuses root).
set -euo pipefail

# Debian keeps the server binaries out of PATH, under /usr/lib/postgresql/<version>/bin.
bindir() {
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ] || [ ! -x "$found/initdb" ]; then
    echo "pg-throwaway: initdb not found (install the postgresql package)" >&2
    exit 3
  fi
  echo "$found"
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

start() {
  local watch=""
  if [ "${1:-}" = "--watch" ]; then
    watch=${2:?--watch needs a PID}
  fi
  local bin dir
  bin=$(bindir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/outdial-pg.XXXXXX")
  chmod 755 "$dir"
  mkdir "$dir/data"
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir" "$dir/data"
  fi
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 \
    --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  # No TCP (listen_addresses empty): only the socket in $dir, so clusters never collide.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=200" \
    start >/dev/null || {
    cat "$dir/server.log" >&2
    exit 1
  }
  if [ -n "$watch" ]; then
    # Detached from our stdout, so whoever reads the URL is not kept waiting for it.
    (
      while kill -0 "$watch" 2>/dev/null; do sleep 1; done
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
      rm -rf "$dir"
    ) </dev/null >/dev/null 2>&1 &
  fi
  echo "postgresql://postgres@/postgres?host=$dir"
}

restart() {
  local dir=${1:?restart needs the cluster folder}
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart >/dev/null
}

stop() {
  local dir=${1:?stop needs the cluster folder}
  case "$dir" in
    *outdial-pg.*) ;;
    *) echo "pg-throwaway: $dir is not a throwaway cluster" >&2; exit 2 ;;
  esac
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

cmd=${1:-}
shift || true
case "$cmd" in
  start) start "$@" ;;
  restart) restart "$@" ;;
  stop) stop "$@" ;;
  *) echo "usage: $0 start [--watch PID] | restart DIR | stop DIR" >&2; exit 2 ;;
esac
