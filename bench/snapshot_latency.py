#!/usr/bin/env python3
"""How long an incident update takes to reach the public documents on a large page (issue 19).

  snapshot_latency.py HERALD [--db sqlite|URL] [--components 200] [--incidents 10000] [--updates 20]

Builds a page with COMPONENTS components (in groups of 10, each with a few status changes in the
last 90 days) and INCIDENTS past incidents (each with three updates and one or two affected
components) in a fresh database, seeded by direct SQL in one transaction (10,000 API calls would
take minutes), then starts `herald serve` on it and posts UPDATES incident updates through the
API, one every 0.5 s. For each it measures, from the moment the API answered:

  json     until /api/v2/summary.json carries the update (polled every 2 ms)
  sse      until the page's Server-Sent Events stream delivers its `update` event
  browser  until `/` fetched after that event carries the update (what an open page does)

and prints the median, 90th percentile and maximum of each, the snapshot rebuild time Herald
reports (herald_snapshot_build_seconds), and the size of `/` (identity and gzip).

--db: `sqlite` (a temporary file, the default) or a PostgreSQL URL of an EMPTY database (see
bench/snapshot_latency.sh, which starts a throw-away PostgreSQL). Everything talks to 127.0.0.1.
"""
import argparse
import http.client
import json
import os
import random
import signal
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

DAY_MS = 24 * 3600 * 1000
STATUSES = ["degraded_performance", "partial_outage", "major_outage"]
IMPACT_OF = {"degraded_performance": "minor", "partial_outage": "major", "major_outage": "critical"}
BODIES = [
    "We are investigating reports of **elevated error rates** on {c}.",
    "The cause has been identified: a configuration change rolled out at {t}. A fix is being deployed.\n\n"
    "- rollback started\n- traffic drained from the affected hosts",
    "This incident has been resolved. Error rates on {c} are back to normal; a postmortem follows.",
]


def run(*args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed: {p.stderr.strip()}")
    return p.stdout


def page_toml(path, n_components):
    lines = ['[[page]]', 'slug = "large"', 'name = "Large"', 'default = true', '']
    for n in range(n_components):
        lines += ['  [[page.component]]', f'  name = "Service {n:03d}"', f'  group = "Group {n // 10:02d}"',
                  f'  description = "Service {n:03d} of group {n // 10:02d}"', '']
    with open(path, "w") as f:
        f.write("\n".join(lines))


def sql_literal(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def seed_rows(page_id, components, n_incidents, now):
    """Rows for incidents, incident_components, incident_updates, component_status_history."""
    rnd = random.Random(19)
    incidents, affected, updates, history = [], [], [], []
    span = 5 * 365 * DAY_MS  # 10,000 incidents over five years: about five a day
    for n in range(n_incidents):
        iid = f"inc{n:06d}"
        start = now - DAY_MS - int(span * (n + 0.5) / n_incidents)  # n = 0 is the newest
        comps = rnd.sample(components, rnd.choice([1, 1, 2]))
        status = rnd.choice(STATUSES)
        resolved = start + rnd.randint(10, 240) * 60_000
        incidents.append((iid, page_id, f"Elevated errors on {comps[0][1]} #{n}", "outage", IMPACT_OF[status],
                          "resolved", start, resolved, start, None, resolved, None, None, 1, 0, ""))
        for pos, (cid, _) in enumerate(comps):
            affected.append((iid, cid, pos, "operational", status))
        aff = json.dumps([{"component_id": cid, "old_status": "operational", "new_status": status}
                          for cid, _ in comps], separators=(",", ":"))
        times = [start, start + (resolved - start) // 2, resolved]
        for k, (st, body) in enumerate(zip(["investigating", "identified", "resolved"], BODIES)):
            text = body.format(c=comps[0][1], t=time.strftime("%H:%M", time.gmtime(start / 1000)))
            updates.append((f"{iid}u{k}", iid, st, text, times[k], times[k], times[k], 1, None, 0,
                            aff if k == 0 else "[]", "{}"))
    # A few status changes per component in the last 90 days, so the uptime bars are not all green.
    for cid, _ in components:
        for _ in range(rnd.randint(0, 3)):
            at = now - rnd.randint(1, 89) * DAY_MS - rnd.randint(0, DAY_MS)
            history.append((cid, page_id, rnd.choice(STATUSES), at))
            history.append((cid, page_id, "operational", at + rnd.randint(5, 300) * 60_000))
    return incidents, affected, updates, history


TABLES = {
    "incidents": "id, page_id, name, type, impact, status, created_at, updated_at, started_at, monitoring_at, "
                 "resolved_at, scheduled_for, scheduled_until, scheduled_auto_transition, backfilled, postmortem_body",
    "incident_components": "incident_id, component_id, position, old_status, new_status",
    "incident_updates": "id, incident_id, status, body, display_at, created_at, updated_at, deliver_notifications, "
                        "next_update_at, internal, affected_components, variants",
    "component_status_history": "component_id, page_id, status, changed_at",
}


def query(db, sql):
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):])
        rows = con.execute(sql).fetchall()
        con.close()
        return rows
    out = run("psql", db, "-At", "-F", "\t", "-c", sql)
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


def page_and_components(db):
    page_id = query(db, "SELECT id FROM pages")[0][0]
    comps = query(db, f"SELECT id, name FROM components WHERE page_id = '{page_id}' AND is_group = 0 ORDER BY position")
    return page_id, comps


def seed(db, page_id, components, n_incidents, now):
    rows = dict(zip(TABLES, seed_rows(page_id, components, n_incidents, now)))
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):])
        with con:
            for table, cols in TABLES.items():
                marks = ", ".join("?" * len(cols.split(",")))
                con.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows[table])
        con.close()
        return
    sql = ["BEGIN;"]
    for table, cols in TABLES.items():
        for start in range(0, len(rows[table]), 500):
            chunk = rows[table][start:start + 500]
            values = ",\n".join("(" + ", ".join(sql_literal(v) for v in r) + ")" for r in chunk)
            sql.append(f"INSERT INTO {table} ({cols}) VALUES\n{values};")
    sql.append("COMMIT;")
    subprocess.run(["psql", db, "-q", "-v", "ON_ERROR_STOP=1"], input="\n".join(sql), text=True, check=True,
                   capture_output=True)


class Sse(threading.Thread):
    """Reads the page's event stream; records the monotonic time of every `update` event."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.events = []
        self.ready = threading.Event()

    def run(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=None)
        c.request("GET", "/events", headers={"Accept": "text/event-stream"})
        r = c.getresponse()
        self.ready.set()
        while True:
            line = r.fp.readline()
            if not line:
                return
            if line.strip() == b"event: update":
                self.events.append(time.monotonic())


def call(port, key, method, path, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=json.dumps(body),
              headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status // 100 != 2:
        raise SystemExit(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data)


def get(conn, path, encoding="identity"):
    conn.request("GET", path, headers={"Accept-Encoding": encoding})
    r = conn.getresponse()
    return r, r.read()


def summarize(name, values):
    v = sorted(values)
    p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
    return f"{name:8} median {statistics.median(v) * 1000:7.1f} ms   p90 {p90 * 1000:7.1f} ms   max {v[-1] * 1000:7.1f} ms"


def build_seconds(conn):
    r, data = get(conn, "/metrics")
    for line in data.decode().splitlines():
        if line.startswith("herald_snapshot_build_seconds "):
            return float(line.split()[1])
    return None


def thread_cpu_ms(pid, name="herald-snapshot"):
    """CPU time (user + system) the named thread of `pid` has used, in ms: a rebuild's own cost,
    whatever else the machine runs (10 ms resolution: averaged over all updates)."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                if f.read().strip() != name:
                    continue
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
        except OSError:
            continue
    return None


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stops the server it started
    ap = argparse.ArgumentParser()
    ap.add_argument("herald")
    ap.add_argument("--db", default="sqlite")
    ap.add_argument("--components", type=int, default=200)
    ap.add_argument("--incidents", type=int, default=10000)
    ap.add_argument("--updates", type=int, default=20)
    args = ap.parse_args()
    herald = os.path.realpath(args.herald)
    tmp = tempfile.mkdtemp(prefix="herald-bench-")
    db = f"sqlite:{tmp}/herald.db" if args.db == "sqlite" else args.db
    proc = None
    try:
        run(herald, "migrate", "--db", db)
        page_toml(f"{tmp}/page.toml", args.components)
        run(herald, "apply", f"{tmp}/page.toml", "--db", db)
        key = run(herald, "token", "create", "--name", "bench", "--role", "responder", "--db", db).strip().splitlines()[-1]
        page_id, comps = page_and_components(db)
        t = time.monotonic()
        seed(db, page_id, comps, args.incidents, int(time.time() * 1000))
        print(f"seeded {len(comps)} components, {args.incidents} incidents in {time.monotonic() - t:.1f} s")
        proc = subprocess.Popen([herald, "serve", "--listen", "127.0.0.1:0", "--db", db], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        port = None
        for line in proc.stdout:
            if line.startswith("herald listening on port "):
                port = int(line.split()[-1])
                break
        if not port:
            raise SystemExit("herald did not start")
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()

        inc = call(port, key, "POST", f"/v1/pages/{page_id}/incidents", {"incident": {
            "name": "Bench incident", "status": "investigating", "body": "Looking into it.",
            "components": {comps[0][0]: "degraded_performance"}}})
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the seeded rows and the incident are served
            r, data = get(conn, "/api/v2/incidents.json")
            if inc["id"].encode() in data and b"inc000000" in data:
                break
            time.sleep(0.05)
        sse = Sse(port)
        sse.start()
        sse.ready.wait(10)
        time.sleep(1.5)
        lat = {"json": [], "sse": [], "browser": []}
        builds = []
        cpu = []
        for n in range(args.updates):
            marker = f"bench-update-{n}-{random.randrange(1 << 30)}"
            seen_events = len(sse.events)
            cpu_before = thread_cpu_ms(proc.pid)
            call(port, key, "PATCH", f"/v1/pages/{page_id}/incidents/{inc['id']}",
                 {"incident": {"status": "identified" if n % 2 else "investigating", "body": f"Progress {marker}."}})
            answered = time.monotonic()
            while True:
                r, data = get(conn, "/api/v2/summary.json")
                if marker.encode() in data:
                    lat["json"].append(time.monotonic() - answered)
                    cpu_after = thread_cpu_ms(proc.pid)
                    if cpu_before is not None and cpu_after is not None:
                        cpu.append(cpu_after - cpu_before)
                    break
                if time.monotonic() - answered > 120:
                    raise SystemExit("update did not reach summary.json within 120 s")
                time.sleep(0.002)
            while len(sse.events) == seen_events:
                if time.monotonic() - answered > 120:
                    raise SystemExit("no SSE event within 120 s")
                time.sleep(0.002)
            lat["sse"].append(sse.events[seen_events] - answered)
            r, data = get(conn, "/")
            if marker.encode() not in data:
                raise SystemExit("/ fetched after the event does not carry the update")
            lat["browser"].append(time.monotonic() - answered)
            builds.append(build_seconds(conn))
            time.sleep(0.5)
        r, page = get(conn, "/")
        r, page_gz = get(conn, "/", "gzip")
        print(f"{args.components} components, {args.incidents} incidents, {args.updates} updates, "
              f"db {'sqlite' if db.startswith('sqlite:') else 'postgresql'}")
        for name, values in lat.items():
            print(summarize(name, values))
        b = [x for x in builds if x is not None]
        if b:
            print(f"rebuild  median {statistics.median(b) * 1000:7.1f} ms   max {max(b) * 1000:7.1f} ms "
                  "(herald_snapshot_build_seconds after each update)")
        if cpu:
            print(f"rebuild  CPU {statistics.mean(cpu):7.1f} ms mean of the herald-snapshot thread per update")
        print(f"/        {len(page):,} bytes, {len(page_gz):,} gzip")
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
