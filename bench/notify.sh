#!/usr/bin/env bash
# bench/notify.sh PATH_TO_HERALD: notification fan-out to N subscribers (issue 3, "Performance").
#
# In one run, all on 127.0.0.1:
#   1. a fresh SQLite database with the bench page (30 components in 5 groups, `herald apply`),
#      then N subscribers bulk-inserted by python3's sqlite3 in one transaction (bench/notify.py:
#      mostly webhooks, a share of email, a fifth filtered to one component, 5% in segment
#      "enterprise" at priority 10);
#   2. nginx as the webhook receiver on NOTIFY_RECEIVER_HOSTS loopback addresses (`return 204`, worker_processes = nproc, keep-alive, access
#      log "$msec $request_uri $status $http_webhook_id") and a counting SMTP sink
#      (bench/smtp_count.py) for email;
#   3. `herald serve` with notifications allowed to 127.0.0.0/8 over http and SMTP to the sink;
#      its VmRSS/VmHWM and the CPU of herald, nginx and the sink sampled every 100 ms;
#   4. one incident published through the management API (t0 = just before the POST), affecting
#      10 of the 30 components; then waits until every expected delivery arrived, nothing new
#      came for NOTIFY_STALL_S, or NOTIFY_MAX_S passed;
#   5. bench/notify.py analyze: time to first delivery, enterprise segment done, all webhooks
#      done, steady webhooks/s (and the 1M projection), emails/s, deliveries/s, herald peak RSS,
#      and the count check (every matching subscriber exactly once, from the database) against
#      the goals; appended as one JSON line to NOTIFY_RESULTS.
#
# Knobs (environment): N (1000000) subscribers; NOTIFY_EMAIL_SHARE (0.01), NOTIFY_FILTER_SHARE
# (0.2), NOTIFY_ENTERPRISE_SHARE (0.05), NOTIFY_AFFECTED (10), NOTIFY_SIGNED (1: webhooks signed
# with a whsec_ secret), NOTIFY_RECEIVER_HOSTS (16: webhook URLs spread over 127.0.0.1 ... .16, one
# nginx listening on each; 1 = every webhook to one host) - see bench/notify.py; NOTIFY_MAX_S (300), NOTIFY_STALL_S (20);
# NOTIFY_RESULTS (out/notify-results.jsonl); NOTIFY_LABEL (free text in the results line);
# NOTIFY_PERF=1 records `perf record -g` of herald during the delivery and prints the top
# symbols (NOTIFY_PERF=dwarf: DWARF call graphs, heavier, for `perf report --children`);
# NOTIFY_OUT (a directory to keep logs, plan, samples); NOTIFY_KEEP=1 (keep the temp dir,
# database and perf.data included). Exit status 0 when the count check passed (nobody missing, no
# duplicates); the performance goals are reported, not enforced.
set -euo pipefail

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 PATH_TO_HERALD   (e.g. N=100000 $0 build/herald)" >&2
  exit 2
fi
HERALD=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NB=(python3 "$HERE/notify.py")

for tool in nginx curl python3 top; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not found (scripts/deps.sh bench installs it)" >&2; exit 2; }
done
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
  { echo "bench: python3-aiosmtpd missing (scripts/deps.sh bench installs it)" >&2; exit 2; }

N=${N:-1000000}
MAX_S=${NOTIFY_MAX_S:-300}
STALL_S=${NOTIFY_STALL_S:-20}
RESULTS=${NOTIFY_RESULTS:-$ROOT/out/notify-results.jsonl}
mkdir -p "$(dirname "$RESULTS")"
RESULTS=$(realpath "$RESULTS")
NPROC=$(nproc)

TMP=$(mktemp -d /tmp/herald-notify.XXXXXX)
chmod 755 "$TMP"  # nginx workers may run as nobody
HERALD_PID="" NGINX_PID="" SMTP_PID="" SAMPLER_PID="" PERF_PID="" TOP_PID=""

stop_pid() {  # PID SIGNAL: signal, wait up to 10 s, then KILL
  local pid=$1 sig=$2
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  set +e
  stop_pid "$TOP_PID" TERM
  stop_pid "$PERF_PID" INT
  stop_pid "$SAMPLER_PID" TERM
  stop_pid "$HERALD_PID" TERM
  stop_pid "$NGINX_PID" QUIT
  stop_pid "$SMTP_PID" TERM
  if [ -n "${NOTIFY_OUT:-}" ]; then
    mkdir -p "$NOTIFY_OUT"
    cp "$TMP"/*.log "$TMP"/*.json "$TMP"/*.tsv "$TMP"/*.txt "$TMP"/*.conf "$NOTIFY_OUT"/ 2>/dev/null
  fi
  if [ "${NOTIFY_KEEP:-0}" = 1 ]; then echo "bench: kept $TMP" >&2; else rm -rf "$TMP"; fi
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

SECONDS=0
DBFILE="$TMP/herald.db"
DB="sqlite:$DBFILE"
echo "== setup ($TMP): N=$N subscribers"
python3 "$HERE/bench.py" page-toml "$TMP/page.toml"
"$HERALD" migrate --db "$DB" >/dev/null && \
  "$HERALD" apply "$TMP/page.toml" --db "$DB" >"$TMP/apply.log" 2>&1 || { cat "$TMP/apply.log" >&2; exit 1; }
KEY=$("$HERALD" token create --name bench --role admin --db "$DB" 2>"$TMP/token.log" | tail -n 1)
[ -n "$KEY" ] || { cat "$TMP/token.log" >&2; exit 1; }

# --- receivers ---
NGINX_PORT=$(free_port)
# Webhook URLs spread over NOTIFY_RECEIVER_HOSTS loopback addresses (see bench/notify.py).
RECEIVER_HOSTS=${NOTIFY_RECEIVER_HOSTS:-16}
HOOK_BASE="http://{host}:$NGINX_PORT/hook"
NGINX_LISTEN=""
for ((h = 1; h <= RECEIVER_HOSTS; h++)); do NGINX_LISTEN+="    listen 127.0.0.$h:$NGINX_PORT;"$'\n'; done
"${NB[@]}" subscribers "$DBFILE" "$TMP/plan.json" "$N" "$HOOK_BASE"

mkdir -p "$TMP/nginx-tmp"
NGINX_USER=""
if [ "$(id -u)" = 0 ]; then NGINX_USER="user nobody $(id -gn nobody);"; fi
cat >"$TMP/nginx.conf" <<EOF
# Generated by bench/notify.sh: a webhook receiver that answers 204 and logs each request.
$NGINX_USER
worker_processes $NPROC;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
  log_format hook '\$msec \$request_uri \$status \$http_webhook_id';
  access_log off;
  keepalive_timeout 65s;
  keepalive_requests 10000000;
  client_body_buffer_size 64k;
  client_body_temp_path $TMP/nginx-tmp/body;
  proxy_temp_path $TMP/nginx-tmp/proxy;
  fastcgi_temp_path $TMP/nginx-tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx-tmp/uwsgi;
  scgi_temp_path $TMP/nginx-tmp/scgi;
  server {
$NGINX_LISTEN    location /hook/ {
      # \$msec is taken when the request ends, not when the buffer is written out.
      access_log $TMP/hooks.log hook buffer=256k flush=100ms;
      return 204;
    }
    location / { return 404; }
  }
}
EOF
: >"$TMP/hooks.log"
nginx -c "$TMP/nginx.conf" -p "$TMP" >"$TMP/nginx.stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "http://127.0.0.1:$NGINX_PORT/" || { cat "$TMP/nginx.stdout.log" "$TMP/nginx-error.log" >&2 2>/dev/null; exit 1; }

: >"$TMP/smtp.log"
/usr/bin/python3 "$HERE/smtp_count.py" --log "$TMP/smtp.log" >"$TMP/smtp.stdout.log" 2>"$TMP/smtp.stderr.log" &
SMTP_PID=$!
SMTP_PORT=""
for _ in $(seq 100); do
  SMTP_PORT=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$TMP/smtp.stdout.log" | head -n 1)
  [ -n "$SMTP_PORT" ] && break
  kill -0 "$SMTP_PID" 2>/dev/null || { cat "$TMP/smtp.stderr.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$SMTP_PORT" ] || { echo "bench: the SMTP sink did not print its port" >&2; exit 1; }

# --- herald ---
# /metrics is off on the public listener unless a token is set.
METRICS_TOKEN=bench-metrics-token-0123456789
HERALD_METRICS_TOKEN=$METRICS_TOKEN HERALD_NOTIFY_ALLOW_PRIVATE=127.0.0.0/8 HERALD_NOTIFY_ALLOW_HTTP=1 \
  HERALD_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" HERALD_SMTP_FROM=status@example.com \
  "$HERALD" serve --listen 127.0.0.1:0 --db "$DB" >"$TMP/herald.stdout.log" 2>"$TMP/herald.stderr.log" &
HERALD_PID=$!
HERALD_PID_SHOWN=$HERALD_PID
HERALD_PORT=""
for _ in $(seq 600); do
  HERALD_PORT=$(sed -n 's/^herald listening on port \([0-9]*\).*/\1/p' "$TMP/herald.stdout.log" | head -n 1)
  [ -n "$HERALD_PORT" ] && break
  kill -0 "$HERALD_PID" 2>/dev/null || { cat "$TMP/herald.stderr.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$HERALD_PORT" ] || { echo "bench: herald did not print its port" >&2; exit 1; }
HERALD_URL="http://127.0.0.1:$HERALD_PORT"
wait_http "$HERALD_URL/healthz"
"${NB[@]}" sample "$TMP/samples.tsv" "$HERALD_PID" "$NGINX_PID" "$SMTP_PID" &
SAMPLER_PID=$!
# The dispatcher starts its outbox cursor at the newest event on its first step: publish after.
for _ in $(seq 100); do
  python3 - "$DBFILE" <<'EOF' && break
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
sys.exit(0 if c.execute("SELECT 1 FROM settings WHERE key = 'notify.outbox_cursor'").fetchone() else 1)
EOF
  sleep 0.1
done
sleep 1
SETUP_S=$SECONDS
echo "setup took ${SETUP_S} s; herald pid $HERALD_PID on :$HERALD_PORT, nginx :$NGINX_PORT ($NPROC workers), SMTP sink :$SMTP_PORT"
echo "herald RSS before publishing: $(awk '/^VmRSS/ {print $2 " " $3}' "/proc/$HERALD_PID/status")"

PERF_MODE=${NOTIFY_PERF:-0}
if [ "$PERF_MODE" != 0 ] && command -v perf >/dev/null; then
  PERF_G=(-g)  # frame pointers: cheap, but call chains through libc/sqlite are cut short
  if [ "$PERF_MODE" = dwarf ]; then PERF_G=(--call-graph "dwarf,16384" -F 199); else PERF_G+=(-F 499); fi
  perf record "${PERF_G[@]}" -p "$HERALD_PID" -o "$TMP/perf.data" >"$TMP/perf.log" 2>&1 &
  PERF_PID=$!
  sleep 0.5
fi

# --- publish and wait ---
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== publishing one incident (load average $LOAD_AT_START)"
"${NB[@]}" publish "$HERALD_URL" "$KEY" "$TMP/plan.json" "$TMP/t0.txt"
# A view of the threads a few seconds in (which of herald's threads is busy, and nginx).
(sleep 3; top -H -b -n 2 -d 1 -w 200 >"$TMP/top.txt" 2>&1) &
TOP_PID=$!
"${NB[@]}" wait "$TMP/plan.json" "$TMP/hooks.log" "$TMP/smtp.log" "$TMP/t0.txt" "$MAX_S" "$STALL_S"
curl -s -H "Authorization: Bearer $METRICS_TOKEN" "$HERALD_URL/metrics" | grep '^herald_notifications' >"$TMP/metrics.txt" || true
RUN_S=$SECONDS

if [ -n "$PERF_PID" ]; then
  stop_pid "$PERF_PID" INT
  PERF_PID=""
  perf report -i "$TMP/perf.data" --no-children --stdio --percent-limit 0.8 -g none 2>/dev/null |
    grep -v '^#' | grep -v '^$' | head -n 40 >"$TMP/perf-top.txt" || true
  echo "== perf: herald's top symbols (self time) during delivery"
  cat "$TMP/perf-top.txt"
fi

stop_pid "$SAMPLER_PID" TERM
SAMPLER_PID=""
wait "$TOP_PID" 2>/dev/null || true
TOP_PID=""
stop_pid "$HERALD_PID" TERM  # records the last outcomes
HERALD_PID=""
# nginx writes its buffered log on a graceful stop; the sink flushes on TERM.
stop_pid "$NGINX_PID" QUIT
NGINX_PID=""
stop_pid "$SMTP_PID" TERM
SMTP_PID=""

echo "herald metrics at the end: $(tr '\n' ' ' <"$TMP/metrics.txt")"
echo "top -H, 3-5 s after publishing (busiest threads; the herald line whose TID is its PID $HERALD_PID_SHOWN shows the whole process here):"
awk '/^top -/{n++} n==2' "$TMP/top.txt" | sed -n '7,16p' || true
rc=0
"${NB[@]}" analyze "$TMP/plan.json" "$TMP/hooks.log" "$TMP/smtp.log" "$TMP/t0.txt" "$TMP/samples.tsv" \
  "$DBFILE" "$RESULTS" "${NOTIFY_LABEL:-}" || rc=$?
echo "machine: $NPROC CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); setup ${SETUP_S} s, whole run $((SECONDS)) s (until the wait ended: ${RUN_S} s)"
exit "$rc"
