#!/usr/bin/env bash
# bench/console_screens.sh PATH_TO_HERALD [console_screens.py options]: the console screens'
# server time on SQLite, then on a throw-away PostgreSQL 15 (scripts/pg.sh), both with 1M
# subscribers and 10k incidents by default. Figures go into docs/PERFORMANCE.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
herald=$(realpath "$1")
shift
"$here/../scripts/deps.sh" bench
python3 "$here/console_screens.py" "$herald" "$@"
source "$here/../scripts/pg.sh"
pg_start
trap pg_stop EXIT
python3 "$here/console_screens.py" "$herald" --db-url "$PG_URL" "$@"
