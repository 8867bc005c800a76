#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

  bench.py page-toml FILE                 write the bench page: 30 components in 5 groups
  bench.py setup URL KEY                  open 3 incidents (with a few updates each); prints PAGE_ID
  bench.py snapshot URL DIR               copy / and /api/v2/summary.json (identity, gzip) into an nginx root
  bench.py updates URL KEY PAGE STATS     post an incident update every second until SIGTERM
  bench.py verify URL N                   N fetches of each document (identity and gzip), all must be whole
  bench.py wait-incidents URL N           wait until summary.json lists N unresolved incidents

Everything talks to 127.0.0.1 only.
"""
import gzip
import http.client
import json
import os
import signal
import sys
import time
import urllib.parse

GROUPS = {
    "Core platform": ["API", "Dashboard", "Authentication", "Billing", "Search", "Webhooks"],
    "Data": ["PostgreSQL primary", "PostgreSQL replicas", "Redis cache", "Object storage", "Backups", "Analytics"],
    "Delivery": ["Email", "SMS", "Push notifications", "Slack integration", "Teams integration", "Discord bot"],
    "Regions": ["us-east-1", "us-west-2", "eu-central-1", "eu-west-1", "ap-southeast-1", "sa-east-1"],
    "Developer tools": ["CLI", "SDKs", "Documentation", "Status API", "CI runners", "Container registry"],
}

# (name, component names -> status, bodies of the follow-up updates)
INCIDENTS = [
    ("Elevated API error rates", {"API": "partial_outage", "Webhooks": "degraded_performance"},
     ["We are investigating elevated **5xx** rates on the public API.",
      "The cause is a bad deploy of the edge proxy; a rollback is in progress.",
      "Rollback finished on 60% of the fleet; error rates are dropping."]),
    ("Email delivery delays", {"Email": "degraded_performance"},
     ["Outgoing email is delayed by up to 20 minutes.",
      "Our upstream provider confirmed an incident on their side.",
      "Queues are draining; we keep monitoring."]),
    ("eu-central-1 network outage", {"eu-central-1": "major_outage", "PostgreSQL replicas": "partial_outage",
                                     "Object storage": "degraded_performance"},
     ["Hosts in eu-central-1 are unreachable.",
      "The provider reports a fibre cut between two availability zones.",
      "Traffic has been moved to eu-west-1 where possible."]),
]


def page_toml(path):
    lines = ['[[page]]', 'slug = "bench"', 'name = "Bench"', 'default = true', '']
    for group, names in GROUPS.items():
        for name in names:
            lines += ['  [[page.component]]', f'  name = "{name}"', f'  group = "{group}"',
                      f'  description = "{name} ({group})"', '']
    with open(path, "w") as f:
        f.write("\n".join(lines))


def conn_for(url, timeout=10):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)


def call(url, key, method, path, body=None):
    c = conn_for(url)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status // 100 != 2:
        raise RuntimeError(f"{method} {path}: {r.status} {data[:300]!r}")
    return json.loads(data) if data else None


def get(url, path, encoding="identity", conn=None):
    c = conn or conn_for(url)
    c.request("GET", path, headers={"Accept-Encoding": encoding})
    r = c.getresponse()
    data = r.read()  # raises IncompleteRead if the body is shorter than Content-Length
    if conn is None:
        c.close()
    return r, data


def setup(url, key):
    pages = call(url, key, "GET", "/v1/pages")
    page = next(p for p in pages if p.get("is_default")) if any(p.get("is_default") for p in pages) else pages[0]
    pid = page["id"]
    comps = call(url, key, "GET", f"/v1/pages/{pid}/components")
    by_name = {c["name"]: c["id"] for c in comps}
    real = [c for c in comps if not c.get("group")]
    if len(real) < 30:
        raise RuntimeError(f"expected 30 components, found {len(real)}")
    statuses = ["identified", "monitoring", "identified"]
    for name, affected, bodies in INCIDENTS:
        inc = call(url, key, "POST", f"/v1/pages/{pid}/incidents", {"incident": {
            "name": name, "status": "investigating", "body": bodies[0],
            "components": {by_name[n]: s for n, s in affected.items()}}})
        for i, b in enumerate(bodies[1:]):
            call(url, key, "PATCH", f"/v1/pages/{pid}/incidents/{inc['id']}",
                 {"incident": {"status": statuses[i], "body": b}})
    print(pid)


def wait_incidents(url, n, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            r, data = get(url, "/api/v2/summary.json")
            if r.status == 200:
                doc = json.loads(data)
                open_incidents = [i for i in doc.get("incidents", []) if i.get("status") != "resolved"]
                if len(open_incidents) >= n and len(doc.get("components", [])) >= 30:
                    return
        except (OSError, ValueError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise SystemExit(f"summary.json did not show {n} incidents within {timeout}s")


def snapshot(url, root):
    """Herald's current bytes as nginx static files: identity, and gzip beside it for gzip_static."""
    for path, rel in (("/", "index.html"), ("/api/v2/summary.json", "api/v2/summary.json")):
        for enc, suffix in (("identity", ""), ("gzip", ".gz")):
            r, data = get(url, path, enc)
            if r.status != 200:
                raise SystemExit(f"GET {path} [{enc}]: {r.status}")
            if enc == "gzip" and r.getheader("Content-Encoding") != "gzip":
                raise SystemExit(f"GET {path}: Herald did not answer gzip")
            dest = os.path.join(root, rel + suffix)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            tmp = dest + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
            print(f"{path} [{enc}] {len(data)} bytes")


def updates(url, key, pid, stats_file):
    incidents = [i for i in call(url, key, "GET", f"/v1/pages/{pid}/incidents") if i.get("status") != "resolved"]
    ids = [i["id"] for i in incidents][:3]
    ok = failed = 0
    stop = False

    def on_term(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    cycle = ["identified", "monitoring", "investigating"]
    n = 0
    next_at = time.monotonic()
    while not stop:
        inc = ids[n % len(ids)]
        try:
            call(url, key, "PATCH", f"/v1/pages/{pid}/incidents/{inc}",
                 {"incident": {"status": cycle[(n // len(ids)) % len(cycle)],
                               "body": f"Bench update {n}: still working on it."}})
            ok += 1
        except Exception as e:  # noqa: BLE001 - counted and reported, the loop goes on
            failed += 1
            print(f"update failed: {e}", file=sys.stderr)
        n += 1
        next_at += 1.0
        while not stop and time.monotonic() < next_at:
            time.sleep(min(0.05, max(0.0, next_at - time.monotonic())))
    with open(stats_file, "w") as f:
        f.write(f"{ok} {failed}\n")


def verify(url, n):
    """Every response must be a whole, valid document; distinct ETags show updates landed meanwhile."""
    bad = []
    etags = {"/": set(), "/api/v2/summary.json": set()}
    conn = conn_for(url)  # keep-alive, like a browser
    for i in range(n):
        for path in ("/api/v2/summary.json", "/"):
            for enc in ("identity", "gzip"):
                try:
                    r, data = get(url, path, enc, conn)
                except (OSError, http.client.HTTPException) as e:
                    bad.append(f"{path} [{enc}] #{i}: {type(e).__name__}: {e}")
                    conn.close()
                    conn = conn_for(url)
                    continue
                if r.status != 200:
                    bad.append(f"{path} [{enc}] #{i}: HTTP {r.status}")
                    continue
                if r.getheader("Content-Encoding") == "gzip":
                    try:
                        data = gzip.decompress(data)
                    except (OSError, EOFError) as e:
                        bad.append(f"{path} [gzip] #{i}: bad gzip: {e}")
                        continue
                elif enc == "gzip":
                    bad.append(f"{path} [gzip] #{i}: not gzip-encoded")
                etags[path].add(r.getheader("ETag"))
                if path == "/":
                    if not data.rstrip().endswith(b"</html>"):
                        bad.append(f"/ [{enc}] #{i}: does not end with </html> ({len(data)} bytes)")
                else:
                    try:
                        doc = json.loads(data)
                        if not isinstance(doc, dict) or "components" not in doc or "incidents" not in doc:
                            bad.append(f"summary.json [{enc}] #{i}: missing keys")
                    except ValueError as e:
                        bad.append(f"summary.json [{enc}] #{i}: invalid JSON: {e}")
        time.sleep(0.02)  # spread the fetches over several updates
    conn.close()
    total = n * 4
    print(f"verify: {total - len(bad)}/{total} responses whole and valid "
          f"(summary.json and / x identity and gzip); distinct ETags seen: "
          f"summary.json {len(etags['/api/v2/summary.json'])}, / {len(etags['/'])}")
    for b in bad[:20]:
        print(f"  BAD {b}")
    return 1 if bad else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "page-toml":
        page_toml(args[0])
    elif cmd == "setup":
        setup(args[0], args[1])
    elif cmd == "snapshot":
        snapshot(args[0], args[1])
    elif cmd == "updates":
        updates(args[0], args[1], args[2], args[3])
    elif cmd == "verify":
        return verify(args[0], int(args[1]))
    elif cmd == "wait-incidents":
        wait_incidents(args[0], int(args[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
