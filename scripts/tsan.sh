#!/usr/bin/env bash
# Runs the threaded suites (dispatcher, HTTP and socket engines, server, monitor engine and
# scheduler, probes, the app, the snapshot cache) under ThreadSanitizer: `make tsan` builds
# BUILD_DIR (default build-tsan) with -fsanitize=thread first. Any report fails the run.
set -euo pipefail
build_dir=${1:-build-tsan}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/pg.sh"
pg_start
trap pg_stop EXIT
export HERALD_TEST_PG_URL="$PG_URL"
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
suites='Dispatcher*:*Engine*:Server*:Scheduler*:App*:*Probe*:StaffAlerter*:RenderCache*:Snapshot*:Push*:WebPush*:*Channel*'
"$build_dir/herald_tests" --gtest_filter="$suites" --gtest_brief=1
