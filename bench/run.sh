#!/usr/bin/env bash
# bench/run.sh PATH_TO_HERALD: Herald's public read path against nginx serving the same bytes.
#
# Sets up a realistic page (30 components in 5 groups, 3 active incidents with a few updates
# each) in a fresh temporary SQLite database, copies Herald's `/` and `/api/v2/summary.json`
# (identity, and the .gz form nginx serves with gzip_static) into an nginx root as static files,
# then loads both servers with wrk (keep-alive) for every path x encoding x connection count.
#
# Both servers serve the same bytes and bear the same background work in every row. During the
# nginx run AND during the Herald run of each row, an update loop posts one incident update per
# second to Herald (so Herald rebuilds and swaps its snapshot, on the servers' core, in both
# runs). After each update it waits until Herald serves it, then fetches Herald's four documents
# and writes them by write-to-temp + rename (atomic: a reader opens a whole old or a whole new
# file): into nginx's root during the nginx run, into a scratch directory during the Herald run.
# It then fetches the four documents from the server under test and checks each is whole
# ("checked (bad)" in the table). So nginx serves the documents as they grow, at most one update
# (plus its open_file_cache_valid of 1 s) behind Herald. Each posted update makes the documents
# grow (~0.5 KB), so before each server's run the page is reset to its set-up state (all
# incidents deleted, the 3 opened again): both runs of a row start from the same documents and
# see the same sequence of updates, i.e. the same sizes at the same moments ("bytes/resp" in
# the table). (Before 2026-12-02 the updates ran only during Herald's runs, nginx served the
# copy taken before the row, and Herald's documents grew during its runs: 21.4 KB against
# nginx's 19.8 KB by the last row.)
#
# Afterwards, with the update loop still mirroring into nginx's root, every document is fetched
# BENCH_VERIFY times (identity and gzip) from Herald and then from nginx; all must be whole and
# valid. Prints a table (req/s, ratio to nginx, p99, non-2xx, CPU time per request of the serving
# threads: see serving_cpu_ticks) and Herald's peak RSS.
#
# CPU placement (nproc >= 2): the servers run on BENCH_SERVER_CPUS (default "0") and wrk, the
# update loop and the verifier on BENCH_LOAD_CPUS (default "1"), so the load generator never
# steals the server's core. nginx gets worker_processes = BENCH_WORKERS and Herald
# HERALD_HTTP_IO_THREADS = BENCH_WORKERS (default 1), i.e. one core's worth of event loop each.
# Herald's other threads (snapshot builder, blocking-handler pool) share the same CPU set, so the
# rebuild after each update competes with the server under test in nginx's runs as in Herald's.
#
# Knobs (environment): BENCH_SECONDS (10) per wrk run, BENCH_WARMUP (1) seconds of discarded
# warm-up before each run, BENCH_CONNECTIONS ("64 256"), BENCH_PATHS ("/api/v2/summary.json /"),
# BENCH_WORKERS (1), BENCH_WRK_THREADS (1), BENCH_VERIFY (200), BENCH_SERVER_CPUS, BENCH_LOAD_CPUS,
# BENCH_OUT (a directory to keep the raw wrk output, configs and logs), BENCH_KEEP=1 (keep the
# temp dir). Exit status: 0 when every response was a 2xx and every checked or verified document
# was whole, 1 otherwise. Performance goals are reported, not enforced.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH_TO_HERALD   (e.g. $0 build/herald)" >&2
  exit 2
fi
HERALD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
PY=(python3 "$HERE/bench.py")

for tool in nginx wrk curl python3 taskset; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (scripts/deps.sh bench installs it)" >&2; exit 2; }
done

RUN_SECONDS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-1}
CONNECTIONS=${BENCH_CONNECTIONS:-"64 256"}
PATHS=${BENCH_PATHS:-"/api/v2/summary.json /"}
ENCODINGS=${BENCH_ENCODINGS:-"identity gzip"}
WORKERS=${BENCH_WORKERS:-1}
WRK_THREADS=${BENCH_WRK_THREADS:-1}
VERIFY_N=${BENCH_VERIFY:-200}
NPROC=$(nproc)
CLK_TCK=$(getconf CLK_TCK)
if [ "$NPROC" -ge 2 ]; then
  SERVER_CPUS=${BENCH_SERVER_CPUS:-0}
  LOAD_CPUS=${BENCH_LOAD_CPUS:-1}
else
  SERVER_CPUS=${BENCH_SERVER_CPUS:-}
  LOAD_CPUS=${BENCH_LOAD_CPUS:-}
fi

# Command prefixes that pin to a CPU set (empty: no pinning). Used as "${SERVER_PIN[@]}" cmd &
# so that $! is the server's own pid (taskset execs it): we signal it and read its VmHWM.
SERVER_PIN=() LOAD_PIN=()
if [ -n "$SERVER_CPUS" ]; then SERVER_PIN=(taskset -c "$SERVER_CPUS"); fi
if [ -n "$LOAD_CPUS" ]; then LOAD_PIN=(taskset -c "$LOAD_CPUS"); fi

TMP=$(mktemp -d /tmp/herald-bench.XXXXXX)
chmod 755 "$TMP"  # nginx workers may run as nobody
HERALD_PID="" NGINX_PID="" UPDATES_PID=""

stop_updates() {
  if [ -n "$UPDATES_PID" ]; then
    kill -TERM "$UPDATES_PID" 2>/dev/null || true
    wait "$UPDATES_PID" 2>/dev/null || true
    UPDATES_PID=""
  fi
}

cleanup() {
  set +e
  stop_updates
  if [ -n "$NGINX_PID" ]; then kill -QUIT "$NGINX_PID" 2>/dev/null; fi
  if [ -n "$HERALD_PID" ]; then kill -TERM "$HERALD_PID" 2>/dev/null; fi
  for pid in $NGINX_PID $HERALD_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ -n "${BENCH_OUT:-}" ]; then
    mkdir -p "$BENCH_OUT"
    cp -r "$TMP"/*.txt "$TMP"/*.log "$TMP"/*.conf "$TMP"/*.toml "$TMP"/results.tsv "$BENCH_OUT"/ 2>/dev/null
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() {  # URL: until it answers at all
  for _ in $(seq 100); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up" >&2
  return 1
}

DB="sqlite:$TMP/herald.db"

echo "== setup ($TMP)"
"${PY[@]}" page-toml "$TMP/page.toml"
"$HERALD" migrate --db "$DB" >/dev/null && \
  "$HERALD" apply "$TMP/page.toml" --db "$DB" >"$TMP/apply.log" 2>&1 || { cat "$TMP/apply.log" >&2; exit 1; }
KEY=$("$HERALD" token create --name bench --role admin --db "$DB" 2>"$TMP/token.log" | tail -n 1)
[ -n "$KEY" ] || { cat "$TMP/token.log" >&2; exit 1; }

# /metrics is off on the public listener unless a token is set. wrk on loopback stands in for
# many clients from one address, so the per-client connection cap is lifted.
METRICS_TOKEN=bench-metrics-token-0123456789
HERALD_METRICS_TOKEN=$METRICS_TOKEN HERALD_HTTP_MAX_CONNECTIONS_PER_CLIENT=1000000 HERALD_HTTP_IO_THREADS=$WORKERS "${SERVER_PIN[@]}" "$HERALD" serve --listen 127.0.0.1:0 --db "$DB" \
  >"$TMP/herald.stdout.log" 2>"$TMP/herald.stderr.log" &
HERALD_PID=$!
HERALD_PORT=""
for _ in $(seq 200); do
  HERALD_PORT=$(sed -n 's/^herald listening on port \([0-9]*\).*/\1/p' "$TMP/herald.stdout.log" | head -n 1)
  [ -n "$HERALD_PORT" ] && break
  kill -0 "$HERALD_PID" 2>/dev/null || { cat "$TMP/herald.stderr.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$HERALD_PORT" ] || { echo "bench: herald did not print its port" >&2; exit 1; }
HERALD_URL="http://127.0.0.1:$HERALD_PORT"
wait_http "$HERALD_URL/healthz"

PAGE_ID=$("${PY[@]}" setup "$HERALD_URL" "$KEY")
"${PY[@]}" wait-incidents "$HERALD_URL" 3

NGINX_PORT=$(free_port)
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
mkdir -p "$TMP/www" "$TMP/nginx-tmp"
chmod 755 "$TMP/www"
"${PY[@]}" snapshot "$HERALD_URL" "$TMP/www" >/dev/null
NGINX_USER=""
if [ "$(id -u)" = 0 ]; then NGINX_USER="user nobody $(id -gn nobody);"; fi
cat >"$TMP/nginx.conf" <<EOF
# Generated by bench/run.sh: the same documents as static files, configured the way a careful
# operator would serve a static status page (sendfile, open-file cache, long keep-alive).
$NGINX_USER
worker_processes $WORKERS;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  gzip_static on;  # index.html.gz etc.: Herald's own pre-compressed bytes
  gzip_vary on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  open_file_cache max=64 inactive=60s;
  open_file_cache_valid 1s;
  types { text/html html; application/json json; }
  default_type application/octet-stream;
  charset utf-8;
  charset_types application/json;
  client_body_temp_path $TMP/nginx-tmp/body;
  proxy_temp_path $TMP/nginx-tmp/proxy;
  fastcgi_temp_path $TMP/nginx-tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx-tmp/uwsgi;
  scgi_temp_path $TMP/nginx-tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $TMP/www;
    index index.html;
  }
}
EOF
"${SERVER_PIN[@]}" nginx -c "$TMP/nginx.conf" -p "$TMP" >"$TMP/nginx.stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NGINX_URL/" || { cat "$TMP/nginx.stdout.log" "$TMP/nginx-error.log" >&2 2>/dev/null; exit 1; }

LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "machine: $NPROC CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "servers on CPUs [${SERVER_CPUS:-any}], wrk/updates/verifier on CPUs [${LOAD_CPUS:-any}]; " \
  "nginx worker_processes=$WORKERS, Herald io threads=$WORKERS; wrk -t$WRK_THREADS, ${RUN_SECONDS}s per run"

# serving_cpu_ticks nginx|herald -> CPU time (user + system, clock ticks) so far of the threads
# that serve requests: nginx's workers; Herald's unnamed threads (io threads, blocking pool, the
# idle main thread), i.e. without its named background threads (herald-snapshot rebuilds,
# herald-dispatch...), whose work both servers' runs bear alike. Read around each run, it gives
# CPU time per request, which the machine's other load changes far less than req/s.
serving_cpu_ticks() {
  local tasks
  if [ "$1" = nginx ]; then
    tasks=$(for pid in $(cat /proc/"$NGINX_PID"/task/*/children 2>/dev/null); do echo /proc/"$pid"/task/*; done)
  else
    local main_comm
    main_comm=$(cat /proc/"$HERALD_PID"/comm)  # the executable's name: unnamed threads carry it
    tasks=$(for t in /proc/"$HERALD_PID"/task/*; do
      [ "$(cat "$t/comm" 2>/dev/null)" = "$main_comm" ] && echo "$t"
    done)
  fi
  local total=0 t
  for t in $tasks; do
    # Fields after the ")" that closes comm: utime and stime are the 12th and 13th.
    total=$((total + $(sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0)))
  done
  echo "$total"
}

# run_wrk NAME nginx|herald URL CONNS ENCODING -> prints the "key=value ..." fields of report.lua's
# BENCH line, plus cpu_us: the serving threads' CPU time during the run (serving_cpu_ticks)
run_wrk() {
  local name=$1 server=$2 url=$3 conns=$4 enc=$5
  if [ "$WARMUP" -gt 0 ]; then
    "${LOAD_PIN[@]}" wrk -t"$WRK_THREADS" -c"$conns" -d"${WARMUP}s" -H "Accept-Encoding: $enc" "$url" \
      >/dev/null 2>&1 || true
  fi
  local cpu0 cpu1
  cpu0=$(serving_cpu_ticks "$server")
  "${LOAD_PIN[@]}" wrk -t"$WRK_THREADS" -c"$conns" -d"${RUN_SECONDS}s" --latency -s "$HERE/report.lua" \
    -H "Accept-Encoding: $enc" "$url" >"$TMP/wrk-$name.txt" 2>&1 || { cat "$TMP/wrk-$name.txt" >&2; return 1; }
  cpu1=$(serving_cpu_ticks "$server")
  echo "$(grep '^BENCH ' "$TMP/wrk-$name.txt" | sed 's/^BENCH //') cpu_us=$(((cpu1 - cpu0) * 1000000 / CLK_TCK))"
}

# start_updates STATS [--mirror DIR] [--check URL]: the update loop (see the header), in the background
start_updates() {
  local stats=$1
  shift
  "${LOAD_PIN[@]}" "${PY[@]}" updates "$HERALD_URL" "$KEY" "$PAGE_ID" "$stats" "$@" 2>>"$TMP/updates.log" &
  UPDATES_PID=$!
}

# update_stats STATS -> "ok failed checked bad"
update_stats() {
  local ok=0 failed=0 checked=0 bad=0
  read -r ok failed checked bad <"$1" || true
  echo "${ok:-0} ${failed:-0} ${checked:-0} ${bad:-0}"
}

mkdir -p "$TMP/scratch"
RESULTS="$TMP/results.tsv"
: >"$RESULTS"
for path in $PATHS; do
  for enc in $ENCODINGS; do
    for conns in $CONNECTIONS; do
      slug=$(echo "$path" | tr -c 'a-zA-Z0-9\n' '_')-$enc-$conns
      # Each run starts from the page as set up (the updates of earlier runs removed), nginx with
      # what Herald serves then; the update loop keeps nginx in step.
      "${PY[@]}" reset "$HERALD_URL" "$KEY" "$PAGE_ID"
      "${PY[@]}" snapshot "$HERALD_URL" "$TMP/www" >/dev/null
      echo "-- $path, $enc, $conns connections: nginx (incident update every second, copied into nginx's root)"
      start_updates "$TMP/updates-nginx$slug.txt" --mirror "$TMP/www" --check "$NGINX_URL"
      nginx_line=$(run_wrk "nginx$slug" nginx "$NGINX_URL$path" "$conns" "$enc")
      stop_updates
      "${PY[@]}" reset "$HERALD_URL" "$KEY" "$PAGE_ID"
      echo "-- $path, $enc, $conns connections: herald (incident update every second, copied into a scratch dir)"
      start_updates "$TMP/updates-herald$slug.txt" --mirror "$TMP/scratch" --check "$HERALD_URL"
      herald_line=$(run_wrk "herald$slug" herald "$HERALD_URL$path" "$conns" "$enc")
      stop_updates
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$path" "$enc" "$conns" "$nginx_line" "$herald_line" \
        "$(update_stats "$TMP/updates-nginx$slug.txt")" "$(update_stats "$TMP/updates-herald$slug.txt")" >>"$RESULTS"
    done
  done
done

echo "== verification: $VERIFY_N fetches of each document (identity + gzip) from herald, then nginx," \
  "while updates are posted and copied into nginx's root"
"${PY[@]}" snapshot "$HERALD_URL" "$TMP/www" >/dev/null
start_updates "$TMP/updates-verify.txt" --mirror "$TMP/www"
verify_rc=0
"${LOAD_PIN[@]}" "${PY[@]}" verify "$HERALD_URL" "$VERIFY_N" herald || verify_rc=1
"${LOAD_PIN[@]}" "${PY[@]}" verify "$NGINX_URL" "$VERIFY_N" nginx || verify_rc=1
stop_updates
read -r vupd_ok vupd_failed _ <<<"$(update_stats "$TMP/updates-verify.txt")"
echo "verify: $vupd_ok incident updates posted and copied meanwhile ($vupd_failed failed)"

BUILD_S=$(curl -s -H "Authorization: Bearer $METRICS_TOKEN" "$HERALD_URL/metrics" | awk '/^herald_snapshot_build_seconds / {print $2}')
HWM=$(awk '/^VmHWM/ {print $2 " " $3}' "/proc/$HERALD_PID/status")
RSS=$(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$HERALD_PID/status")

echo
echo "== results (${RUN_SECONDS}s per run, keep-alive; ratio = herald req/s / nginx req/s)"
table_rc=0
python3 "$HERE/table.py" "$RESULTS" || table_rc=$?
echo
echo "herald peak RSS (VmHWM): $HWM (current VmRSS: $RSS)"
echo "herald last snapshot build: ${BUILD_S:-?} s; load average at start: $LOAD_AT_START"
if [ -s "$TMP/updates.log" ]; then
  echo "update loop errors:"
  head -n 5 "$TMP/updates.log"
fi
[ "$verify_rc" -eq 0 ] && [ "$table_rc" -eq 0 ]
