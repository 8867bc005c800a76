#!/usr/bin/env python3
"""Server time of each operator console screen on a large page (issue 15: 1M subscribers, 10k
incidents), under an open-loop load, against nginx serving the same bytes in the same run.

  console_screens.py HERALD [--db-url postgresql://...] [--subscribers 1000000] [--incidents 10000]
                            [--rps 40] [--seconds 10] [--connections 4]

Without --db-url the database is a fresh SQLite file; with it, an empty PostgreSQL database
(bench/console_screens.sh starts a throw-away one with scripts/pg.sh). `herald migrate` makes the
schema; one page gets SUBSCRIBERS subscribers and INCIDENTS incidents by direct SQL (the rows of
bench/console_pages.py: a tenth quarantined, three languages and segments). A staff admin is made
with `herald user create` and signs in through the sign-in form, as a person would; every
request carries that session cookie, so each one runs the whole console path: session check in the
database, permission, the screen's queries and the template.

Each screen is loaded by h2load at a fixed rate (--rps per connection, --connections connections:
open loop, so a slow answer does not slow the offered load), --seconds long, with --log-file; the
latencies (request sent to response complete) give p50, p99 and max. nginx then serves each
screen's bytes (saved from Herald) at the same rate from the same loopback: the ratio says how
much of the time is Herald's work rather than the machine's floor. A screen that answers 404
(not in this build) is reported and skipped. Everything talks to 127.0.0.1."""
import argparse
import csv
import http.client
import io
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from console_pages import NOW_MS, seed  # noqa: E402  (the same rows as the API bench)

PASSWORD = "bench password 12345"
PAGE = "acmepage"


def seed_postgres(url, n_subscribers, n_incidents):
    """The rows console_pages.seed writes, through COPY (a million rows in about a minute)."""
    tmp = tempfile.mkdtemp(prefix="herald-console-bench-seed-")
    try:
        lite = os.path.join(tmp, "rows.db")
        # Build the rows once in SQLite (same generator), then stream them table by table.
        subprocess.run([ARGS.herald, "migrate", "--db", "sqlite:" + lite], check=True, capture_output=True)
        seed(lite, PAGE, n_subscribers, n_incidents)
        con = sqlite3.connect(lite)
        for table in ("pages", "subscribers", "incidents", "incident_updates"):
            cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            for row in con.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                w.writerow(["\\N" if v is None else v for v in row])
            copy = (f"COPY {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')")
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", copy], input=buf.getvalue(), text=True,
                           check=True, capture_output=True)
        con.close()
        subprocess.run(["psql", "-q", url, "-c", "ANALYZE"], check=True, capture_output=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sign_in(port):
    def req(method, path, body=None, cookies=""):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookies} if cookies else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        text = r.read().decode()
        conn.close()
        return r, text

    r, text = req("GET", "/admin/login")
    login_cookie = r.headers["Set-Cookie"].split(";", 1)[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', text).group(1)
    r, _ = req("POST", "/admin/login", urllib.parse.urlencode(
        {"csrf": csrf, "email": "bench@example.com", "password": PASSWORD}), login_cookie)
    session = next(c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") if c.startswith("herald_session="))
    return session


def fetch(port, path, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


def h2load(url, cookie, log):
    n = ARGS.rps * ARGS.connections * ARGS.seconds
    cmd = ["h2load", "--h1", "-n", str(n), "-c", str(ARGS.connections), "--rps", str(ARGS.rps), "--log-file", log,
           url]
    if cookie:
        cmd[1:1] = ["-H", "Cookie: " + cookie]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=ARGS.seconds * 10 + 120)
    if out.returncode != 0:
        raise SystemExit(f"h2load failed: {out.stderr or out.stdout}")
    lat, bad = [], 0
    with open(log) as f:
        for line in f:
            _, status, micros = line.split("\t")
            if not status.startswith("2"):
                bad += 1
            lat.append(int(micros) / 1000)
    lat.sort()
    return {"p50": statistics.median(lat), "p99": lat[min(len(lat) - 1, int(len(lat) * 0.99))], "max": lat[-1],
            "n": len(lat), "bad": bad}


def nginx_conf(tmp, port):
    user = ""
    if os.getuid() == 0:
        import grp
        import pwd
        user = "user nobody %s;" % grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
    return f"""{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path {tmp}/nginx-tmp/body;
  proxy_temp_path {tmp}/nginx-tmp/proxy;
  fastcgi_temp_path {tmp}/nginx-tmp/fastcgi;
  uwsgi_temp_path {tmp}/nginx-tmp/uwsgi;
  scgi_temp_path {tmp}/nginx-tmp/scgi;
  server {{
    listen 127.0.0.1:{port};
    default_type text/html;
    root {tmp}/www;
  }}
}}
"""


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    tmp = tempfile.mkdtemp(prefix="herald-console-bench-")
    os.chmod(tmp, 0o755)
    procs = []
    try:
        if ARGS.db_url:
            url = ARGS.db_url
            subprocess.run([ARGS.herald, "migrate", "--db", url], check=True, capture_output=True)
            t0 = time.time()
            seed_postgres(url, ARGS.subscribers, ARGS.incidents)
        else:
            db = os.path.join(tmp, "herald.db")
            url = "sqlite:" + db
            subprocess.run([ARGS.herald, "migrate", "--db", url], check=True, capture_output=True)
            t0 = time.time()
            seed(db, PAGE, ARGS.subscribers, ARGS.incidents)
        backend = "postgresql" if ARGS.db_url else "sqlite"
        print(f"{backend}: seeded {ARGS.subscribers} subscribers, {ARGS.incidents} incidents in "
              f"{time.time() - t0:.0f} s", file=sys.stderr)
        subprocess.run([ARGS.herald, "user", "create", "--email", "bench@example.com", "--role", "admin", "--db", url],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
        env = dict(os.environ, HERALD_MONITOR_ENABLED="false")
        proc = subprocess.Popen([ARGS.herald, "serve", "--listen", "127.0.0.1:0", "--db", url],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        procs.append(proc)
        port = None
        while port is None:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("herald did not start")
            if line.startswith("herald listening on port "):
                port = int(line.split()[-1])
        cookie = sign_in(port)
        mid = f"i{ARGS.incidents // 2:06d}"
        last_sub = f"s{ARGS.subscribers - 1:07d}"
        screens = [
            ("dashboard", "/admin"),
            ("incidents", "/admin/incidents"),
            ("incident", f"/admin/incidents/{mid}"),
            ("composer", "/admin/incidents/new"),
            ("components", "/admin/components"),
            ("maintenance", "/admin/maintenance"),
            ("maintenance month", "/admin/maintenance?view=month"),
            ("subscribers", "/admin/subscribers"),
            ("subscribers search", "/admin/subscribers?q=user05"),
            ("subscribers quarantined", "/admin/subscribers?state=quarantined"),
            ("subscriber", f"/admin/subscribers/{last_sub}"),
            ("monitors", "/admin/monitors"),
            ("audit log", "/admin/audit"),
            ("settings", "/admin/settings"),
            ("API keys", "/admin/api-keys"),
            ("team", "/admin/team"),
            ("account", "/admin/account"),
        ]
        os.makedirs(os.path.join(tmp, "www"), exist_ok=True)
        os.makedirs(os.path.join(tmp, "nginx-tmp"), exist_ok=True)
        present = []
        for i, (name, path) in enumerate(screens):
            status, body = fetch(port, path, cookie)
            if status == 404:
                print(f"{name}: {path} answers 404 in this build; skipped", file=sys.stderr)
                continue
            if status != 200:
                raise SystemExit(f"{name}: {path} answered {status}: {body[:300]!r}")
            with open(os.path.join(tmp, "www", f"s{i}.html"), "wb") as f:
                f.write(body)
            present.append((i, name, path, len(body)))
        herald = {}
        for i, name, path, _ in present:
            herald[i] = h2load(f"http://127.0.0.1:{port}{path}", cookie, os.path.join(tmp, f"h{i}.log"))
        proc.terminate()
        proc.wait()
        nport = free_port()
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(nginx_conf(tmp, nport))
        procs.append(subprocess.Popen(["nginx", "-c", os.path.join(tmp, "nginx.conf"), "-p", tmp],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for _ in range(100):
            try:
                fetch(nport, "/", "")
                break
            except OSError:
                time.sleep(0.05)
        nginx = {i: h2load(f"http://127.0.0.1:{nport}/s{i}.html", "", os.path.join(tmp, f"n{i}.log"))
                 for i, *_ in present}
        rate = ARGS.rps * ARGS.connections
        print(f"\n{backend}, {ARGS.subscribers:,} subscribers, {ARGS.incidents:,} incidents; "
              f"{rate} requests/s open loop for {ARGS.seconds} s per screen ({ARGS.connections} connections)\n")
        print("| screen | bytes | p50 ms | p99 ms | max ms | nginx p99 ms | p99 ratio | non-2xx |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for i, name, path, size in present:
            h, n = herald[i], nginx[i]
            ratio = h["p99"] / n["p99"] if n["p99"] else 0
            print(f"| {name} (`{path}`) | {size:,} | {h['p50']:.2f} | {h['p99']:.2f} | {h['max']:.2f} | "
                  f"{n['p99']:.2f} | {ratio:.1f} | {h['bad']} |")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("herald")
    ap.add_argument("--db-url", default="")
    ap.add_argument("--subscribers", type=int, default=1_000_000)
    ap.add_argument("--incidents", type=int, default=10_000)
    ap.add_argument("--rps", type=int, default=10, help="requests per second per connection")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=10)
    ARGS = ap.parse_args()
    main()
