#!/usr/bin/env bash
# bench/snapshot_latency.sh PATH_TO_HERALD: how long an incident update takes to reach the public
# documents of a large page (200 components, 10,000 past incidents), on SQLite and on a throw-away
# PostgreSQL (scripts/pg.sh). See bench/snapshot_latency.py for what is measured. Knobs
# (environment): BENCH_COMPONENTS (200), BENCH_INCIDENTS (10000), BENCH_UPDATES (20),
# BENCH_BACKENDS ("sqlite postgresql").
set -euo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH_TO_HERALD   (e.g. $0 build/herald)" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ARGS=(--components "${BENCH_COMPONENTS:-200}" --incidents "${BENCH_INCIDENTS:-10000}" --updates "${BENCH_UPDATES:-20}")
for backend in ${BENCH_BACKENDS:-sqlite postgresql}; do
  if [ "$backend" = sqlite ]; then
    python3 "$HERE/snapshot_latency.py" "$1" --db sqlite "${ARGS[@]}"
  else
    # shellcheck source=../scripts/pg.sh
    source "$HERE/../scripts/pg.sh"
    pg_start
    trap pg_stop EXIT
    psql "$PG_URL" -q -c "CREATE DATABASE herald_bench"
    python3 "$HERE/snapshot_latency.py" "$1" --db "${PG_URL%/*}/herald_bench" "${ARGS[@]}"
    pg_stop
    trap - EXIT
  fi
  echo
done
