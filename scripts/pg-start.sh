#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on loopback for the tests and prints its admin URL on stdout.
# Installs PostgreSQL from Debian's packages when it is absent. Idempotent: a server already
# running from the same directory is reused.
#   PGPORT   port (default 55432)
#   PGDIR    data + socket directory (default $TMPDIR/offduty-pg-$PGPORT)
set -euo pipefail

PGPORT="${PGPORT:-55432}"
PGDIR="${PGDIR:-${TMPDIR:-/tmp}/offduty-pg-$PGPORT}"
log() { echo "pg-start: $*" >&2; }

find_bin() {
  local name=$1 dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/$name" ] && { echo "$dir/$name"; return 0; }
  done
  command -v "$name" 2>/dev/null || return 1
}

if ! find_bin initdb >/dev/null; then
  log "PostgreSQL not found; installing from Debian packages"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
fi
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)
PG_ISREADY=$(find_bin pg_isready || true)

# PostgreSQL refuses to run as root: run it as the `postgres` user (created by the package).
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  RUN=(runuser -u postgres --)
fi

mkdir -p "$PGDIR"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PGDIR"

if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
  log "initializing a cluster in $PGDIR/data"
  "${RUN[@]}" "$INITDB" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null 2>&1 \
    || "${RUN[@]}" "$INITDB" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
fi

if ! "${RUN[@]}" "$PG_CTL" -D "$PGDIR/data" status >/dev/null 2>&1; then
  log "starting on 127.0.0.1:$PGPORT"
  "${RUN[@]}" "$PG_CTL" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGDIR -c max_connections=400 -c fsync=on -c shared_buffers=128MB" >/dev/null
fi

if [ -n "$PG_ISREADY" ]; then
  for _ in $(seq 1 60); do
    "$PG_ISREADY" -h 127.0.0.1 -p "$PGPORT" -q && break
    sleep 0.5
  done
fi
echo "postgres://postgres@127.0.0.1:$PGPORT/postgres"
