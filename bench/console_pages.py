#!/usr/bin/env python3
"""How long the console's data takes to answer on a large page (issue 15: 1M subscribers, 10k
incidents), SQLite.

  console_pages.py HERALD [--subscribers 1000000] [--incidents 10000] [--requests 200]

Creates a fresh SQLite database with `herald migrate`, seeds one page with SUBSCRIBERS
subscribers (email, a tenth quarantined, a few languages and segments) and INCIDENTS incidents
(one update each) by direct SQL in one transaction, starts `herald serve` on it and times, over
REQUESTS requests each on a kept-alive loopback connection:

  subscribers/first       GET subscribers?cursor=&limit=50 (the first page, by address)
  subscribers/deep        GET subscribers?cursor=<a random position>&limit=50
  subscribers/search      GET subscribers?q=<random 6-character prefix>&limit=50
  subscribers/state       GET subscribers?state=quarantined&cursor=<random>&limit=50
  incidents/deep          GET incidents?cursor=<a random position>&limit=50
  dashboard               GET dashboard

and prints the median, 99th percentile and maximum of each (milliseconds, request sent to body
read), then SQLite's plan for the deep subscriber page. Everything talks to 127.0.0.1.
"""
import argparse
import base64
import http.client
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

NOW_MS = int(time.time() * 1000)


def cursor(kind, key, row_id):
    raw = json.dumps([kind, key, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def seed(path, page_id, n_subscribers, n_incidents):
    con = sqlite3.connect(path)
    # Rows go in in address order (each index is appended to, not split at random places) with a
    # large cache: seeding a million rows into nine indexes takes a minute, not a quarter hour.
    con.execute("PRAGMA synchronous = OFF")
    con.execute("PRAGMA cache_size = -400000")
    with con:
        con.execute(
            "INSERT INTO pages (id, slug, name, url, hostname, time_zone, logo_url, accent_color, is_default, "
            "is_private, created_at, updated_at) VALUES (?, 'acme', 'Acme', '', '', 'UTC', '', '#2563eb', 1, 0, ?, ?)",
            (page_id, NOW_MS, NOW_MS))
        rows = []
        for i in range(n_subscribers):
            state = "quarantined" if i % 10 == 0 else "active"
            rows.append((f"s{i:07d}", page_id, "email", f"user{i:07d}@example.com", state,
                         "[]", ["en", "de", "fr"][i % 3], "", "standard", 31, None, None,
                         ["", "enterprise", "free"][i % 3], 0, "", "", "", "", "", NOW_MS, NOW_MS, NOW_MS, 0, ""))
        con.executemany(
            "INSERT INTO subscribers (id, page_id, channel, address, state, component_ids, language, time_zone, "
            "detail, event_types, quiet_start_minute, quiet_end_minute, segment, priority, secret, push_p256dh, "
            "push_auth, confirm_code_hash, owner_email, created_at, updated_at, confirmed_at, failing_since, "
            "last_error) VALUES (" + ", ".join("?" * 24) + ")", rows)
        incidents, updates = [], []
        for i in range(n_incidents):
            started = NOW_MS - (n_incidents - i) * 3_600_000
            status = "resolved" if i < n_incidents - 3 else "investigating"
            incidents.append((f"i{i:06d}", page_id, f"Incident {i}", "outage", "minor", status, started, started,
                              started, None, started + 1_800_000 if status == "resolved" else None, None, None, 1, 0,
                              ""))
            updates.append((f"u{i:06d}", f"i{i:06d}", status, "Text of the update.", started, started, started, 1,
                            None, 0, "[]", "{}"))
        con.executemany("INSERT INTO incidents (id, page_id, name, type, impact, status, created_at, updated_at, "
                        "started_at, monitoring_at, resolved_at, scheduled_for, scheduled_until, "
                        "scheduled_auto_transition, backfilled, postmortem_body) VALUES (" + ", ".join("?" * 16) + ")",
                        incidents)
        con.executemany("INSERT INTO incident_updates (id, incident_id, status, body, display_at, created_at, "
                        "updated_at, deliver_notifications, next_update_at, internal, affected_components, variants) "
                        "VALUES (" + ", ".join("?" * 12) + ")", updates)
    addresses = [f"user{random.randrange(n_subscribers):07d}@example.com" for _ in range(2000)]
    con.close()
    return addresses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("herald")
    ap.add_argument("--subscribers", type=int, default=1_000_000)
    ap.add_argument("--incidents", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="herald-console-bench-")
    db = os.path.join(tmp, "herald.db")
    url = "sqlite:" + db
    proc = None
    try:
        subprocess.run([args.herald, "migrate", "--db", url], check=True, capture_output=True)
        t0 = time.time()
        addresses = seed(db, "acmepage", args.subscribers, args.incidents)
        print(f"seeded {args.subscribers} subscribers, {args.incidents} incidents in {time.time() - t0:.1f} s",
              file=sys.stderr)
        key = subprocess.run([args.herald, "token", "create", "--name", "bench", "--role", "viewer", "--db", url],
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        # The API's per-client rate limit would throttle the measurement, not the server.
        env = dict(os.environ, HERALD_HTTP_API_PER_SECOND="100000", HERALD_HTTP_API_BURST="100000")
        proc = subprocess.Popen([args.herald, "serve", "--listen", "127.0.0.1:0", "--db", url],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        port = None
        while port is None:
            line = proc.stdout.readline()
            if not line:
                raise SystemExit("herald did not start")
            if line.startswith("herald listening on port "):
                port = int(line.split()[-1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": "Bearer " + key}
        base = "/v1/pages/acmepage/"

        def timed(path):
            t = time.perf_counter()
            conn.request("GET", base + path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            ms = (time.perf_counter() - t) * 1000
            if r.status != 200:
                raise SystemExit(f"{path}: {r.status} {body[:300]!r}")
            return ms, body

        cases = {
            "subscribers/first": lambda: "subscribers?cursor=&limit=50",
            "subscribers/deep": lambda: "subscribers?limit=50&cursor=" + cursor("subscribers", random.choice(
                addresses), "s"),
            "subscribers/search": lambda: "subscribers?limit=50&q=" + random.choice(addresses)[:6],
            "subscribers/state": lambda: "subscribers?state=quarantined&limit=50&cursor=" + cursor(
                "subscribers", random.choice(addresses), "s"),
            "incidents/deep": lambda: "incidents?limit=50&cursor=" + cursor(
                "incidents", NOW_MS - random.randrange(args.incidents) * 3_600_000, "i999999"),
            "dashboard": lambda: "dashboard",
        }
        print(f"{'request':22} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}  rows")
        for name, make in cases.items():
            for _ in range(5):
                timed(make())  # warm the page cache and the connection
            times, rows = [], 0
            for _ in range(args.requests):
                ms, body = timed(make())
                times.append(ms)
                doc = json.loads(body)
                rows = len(doc) if isinstance(doc, list) else 1
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"{name:22} {statistics.median(times):8.2f} {p99:8.2f} {times[-1]:8.2f}  {rows}")
        con = sqlite3.connect(db)
        plan = con.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM subscribers WHERE page_id = ? AND address >= ? AND "
            "(address > ? OR id > ?) ORDER BY address, id LIMIT 51", ("acmepage", "m", "m", "s")).fetchall()
        print("plan (deep subscriber page):", " | ".join(r[3] for r in plan))
    finally:
        if proc:
            proc.terminate()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
