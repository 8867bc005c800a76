#!/usr/bin/env bash
# Runs every test in BUILD_DIR with ctest, against a real PostgreSQL 15 that this script starts
# on loopback in a temporary directory (as the `postgres` user: PostgreSQL refuses root) and
# stops afterwards.
set -euo pipefail
build_dir=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/pg.sh"
pg_start
trap pg_stop EXIT
export HERALD_TEST_PG_URL="$PG_URL"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 600
