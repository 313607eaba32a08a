#!/usr/bin/env bash
# Stops the PostgreSQL that scripts/pg-start.sh started in PGDIR (first argument, or $PGDIR)
# and removes its data. Does nothing when no cluster is there.
set -euo pipefail
PGDIR="${1:-${PGDIR:?give the directory pg-start.sh used}}"
[ -f "$PGDIR/data/PG_VERSION" ] || exit 0
PG_CTL=""
for dir in /usr/lib/postgresql/*/bin; do
  [ -x "$dir/pg_ctl" ] && PG_CTL="$dir/pg_ctl"
done
[ -n "$PG_CTL" ] || PG_CTL=$(command -v pg_ctl)
RUN=()
[ "$(id -u)" -eq 0 ] && RUN=(runuser -u postgres --)
"${RUN[@]}" "$PG_CTL" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true
rm -rf "$PGDIR"
