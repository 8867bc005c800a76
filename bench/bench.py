#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

  bench.py page-toml FILE                 write the bench page: 30 components in 5 groups
  bench.py setup URL KEY                  open 3 incidents (with a few updates each); prints PAGE_ID
  bench.py reset URL KEY PAGE            delete all incidents, open the 3 again, wait until served
  bench.py snapshot URL DIR               copy / and /api/v2/summary.json (identity, gzip) into an nginx root
  bench.py updates URL KEY PAGE STATS [--mirror DIR] [--check URL]
                                          post an incident update every second until SIGTERM; after
                                          each, --mirror waits for Herald's new snapshot and copies
                                          its documents into DIR (atomically), --check fetches the
                                          documents from URL and checks that they are whole
  bench.py verify URL N [NAME]            N fetches of each document (identity and gzip), all must be whole
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


def open_incidents(url, key, pid):
    """Opens the bench's 3 incidents (each with 3 follow-up updates); returns their ids."""
    comps = call(url, key, "GET", f"/v1/pages/{pid}/components")
    by_name = {c["name"]: c["id"] for c in comps}
    real = [c for c in comps if not c.get("group")]
    if len(real) < 30:
        raise RuntimeError(f"expected 30 components, found {len(real)}")
    statuses = ["identified", "monitoring", "identified"]
    ids = []
    for name, affected, bodies in INCIDENTS:
        inc = call(url, key, "POST", f"/v1/pages/{pid}/incidents", {"incident": {
            "name": name, "status": "investigating", "body": bodies[0],
            "components": {by_name[n]: s for n, s in affected.items()}}})
        for i, b in enumerate(bodies[1:]):
            call(url, key, "PATCH", f"/v1/pages/{pid}/incidents/{inc['id']}",
                 {"incident": {"status": statuses[i], "body": b}})
        ids.append(inc["id"])
    return ids


def setup(url, key):
    pages = call(url, key, "GET", "/v1/pages")
    page = next(p for p in pages if p.get("is_default")) if any(p.get("is_default") for p in pages) else pages[0]
    pid = page["id"]
    open_incidents(url, key, pid)
    print(pid)


def reset(url, key, pid, timeout=15):
    """Puts the page back in the state `setup` left it in: deletes every incident and opens the
    bench's 3 again, then waits until Herald serves exactly those. Run before each server's run
    of a row, so that both runs start from documents of the same size and, with the update loop's
    same sequence of updates, serve documents of the same sizes at the same moments (the posted
    updates make the documents grow by ~0.5 KB each)."""
    for inc in call(url, key, "GET", f"/v1/pages/{pid}/incidents"):
        call(url, key, "DELETE", f"/v1/pages/{pid}/incidents/{inc['id']}")
    ids = open_incidents(url, key, pid)
    updates_expected = sum(len(bodies) for _, _, bodies in INCIDENTS)
    deadline = time.time() + timeout
    while time.time() < deadline:
        r, data = get(url, "/api/v2/summary.json")
        if r.status == 200:
            doc = json.loads(data)
            incs = doc.get("incidents", [])
            if sorted(i.get("id") for i in incs) == sorted(ids) and \
                    sum(len(i.get("incident_updates", [])) for i in incs) == updates_expected:
                return
        time.sleep(0.05)
    raise SystemExit(f"summary.json did not show the reset incidents within {timeout}s")


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


DOCUMENTS = (("/", "index.html"), ("/api/v2/summary.json", "api/v2/summary.json"))


def snapshot(url, root, quiet=False):
    """Herald's current bytes as nginx static files: identity, and gzip beside it for gzip_static.

    Each file is written to a temporary name and renamed over the old one, so a server reading
    the root while this runs only ever opens a complete old or a complete new file."""
    for path, rel in DOCUMENTS:
        for enc, suffix in (("identity", ""), ("gzip", ".gz")):
            r, data = get(url, path, enc)
            if r.status != 200:
                raise RuntimeError(f"GET {path} [{enc}]: {r.status}")
            if enc == "gzip" and r.getheader("Content-Encoding") != "gzip":
                raise RuntimeError(f"GET {path}: Herald did not answer gzip")
            dest = os.path.join(root, rel + suffix)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            tmp = dest + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, dest)
            if not quiet:
                print(f"{path} [{enc}] {len(data)} bytes")


def wait_for_update(url, marker, etag, timeout=5.0):
    """Polls summary.json (conditional GETs: 304 while unchanged) until it carries `marker`, i.e.
    until Herald swapped in the snapshot with the update just posted. Returns the new ETag."""
    deadline = time.monotonic() + timeout
    c = conn_for(url)
    try:
        while time.monotonic() < deadline:
            headers = {"Accept-Encoding": "identity"}
            if etag:
                headers["If-None-Match"] = etag
            c.request("GET", "/api/v2/summary.json", headers=headers)
            r = c.getresponse()
            data = r.read()
            if r.status == 200:
                etag = r.getheader("ETag")
                if marker in data:
                    return etag
            time.sleep(0.005)
    finally:
        c.close()
    raise RuntimeError(f"snapshot with {marker!r} not served within {timeout}s")


def updates(url, key, pid, stats_file, mirror=None, check=None):
    """One incident update per second. With `mirror`, after each update: wait until Herald serves
    it, then copy its documents into `mirror` (nginx's root during nginx rows, a scratch directory
    during Herald rows, so that both rows bear the same background work). With `check`, fetch
    the documents from that server and check each is whole (check_document)."""
    incidents = [i for i in call(url, key, "GET", f"/v1/pages/{pid}/incidents") if i.get("status") != "resolved"]
    ids = [i["id"] for i in incidents][:3]
    ok = failed = checked = bad = 0
    stop = False

    def on_term(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    cycle = ["identified", "monitoring", "investigating"]
    n = 0
    etag = None
    next_at = time.monotonic()
    while not stop:
        inc = ids[n % len(ids)]
        try:
            marker = f"Bench update {n}:"
            call(url, key, "PATCH", f"/v1/pages/{pid}/incidents/{inc}",
                 {"incident": {"status": cycle[(n // len(ids)) % len(cycle)],
                               "body": f"{marker} still working on it."}})
            ok += 1
            if mirror:
                etag = wait_for_update(url, marker.encode(), etag)
                snapshot(url, mirror, quiet=True)
        except Exception as e:  # noqa: BLE001 - counted and reported, the loop goes on
            failed += 1
            print(f"update failed: {e}", file=sys.stderr)
        if check:
            for path, _ in DOCUMENTS:
                for enc in ("identity", "gzip"):
                    try:
                        r, data = get(check, path, enc)
                        problem = check_document(path, enc, r, data)
                    except (OSError, http.client.HTTPException) as e:
                        problem = f"{type(e).__name__}: {e}"
                    checked += 1
                    if problem:
                        bad += 1
                        print(f"check {check}{path} [{enc}] after update {n}: {problem}", file=sys.stderr)
        n += 1
        next_at += 1.0
        while not stop and time.monotonic() < next_at:
            time.sleep(min(0.05, max(0.0, next_at - time.monotonic())))
    with open(stats_file, "w") as f:
        f.write(f"{ok} {failed} {checked} {bad}\n")


def check_document(path, enc, r, data):
    """None when `data` is a whole, valid `path` (status 200, gzip when asked, JSON parses with its
    keys, HTML ends with </html>); otherwise what is wrong."""
    if r.status != 200:
        return f"HTTP {r.status}"
    if r.getheader("Content-Encoding") == "gzip":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            return f"bad gzip: {e}"
    elif enc == "gzip":
        return "not gzip-encoded"
    if path == "/":
        if not data.rstrip().endswith(b"</html>"):
            return f"does not end with </html> ({len(data)} bytes)"
    else:
        try:
            doc = json.loads(data)
        except ValueError as e:
            return f"invalid JSON: {e}"
        if not isinstance(doc, dict) or "components" not in doc or "incidents" not in doc:
            return "missing keys"
    return None


def verify(url, n, name="herald"):
    """Every response must be a whole, valid document; distinct ETags show updates landed meanwhile."""
    bad = []
    etags = {"/": set(), "/api/v2/summary.json": set()}
    conn = conn_for(url)  # keep-alive, like a browser
    for i in range(n):
        for path, _ in reversed(DOCUMENTS):
            for enc in ("identity", "gzip"):
                try:
                    r, data = get(url, path, enc, conn)
                except (OSError, http.client.HTTPException) as e:
                    bad.append(f"{path} [{enc}] #{i}: {type(e).__name__}: {e}")
                    conn.close()
                    conn = conn_for(url)
                    continue
                problem = check_document(path, enc, r, data)
                if problem:
                    bad.append(f"{path} [{enc}] #{i}: {problem}")
                    continue
                etags[path].add(r.getheader("ETag"))
        time.sleep(0.02)  # spread the fetches over several updates
    conn.close()
    total = n * 4
    print(f"verify {name}: {total - len(bad)}/{total} responses whole and valid "
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
    elif cmd == "reset":
        reset(args[0], args[1], args[2])
    elif cmd == "snapshot":
        snapshot(args[0], args[1])
    elif cmd == "updates":
        opts = dict(zip(args[4::2], args[5::2]))
        updates(args[0], args[1], args[2], args[3], mirror=opts.get("--mirror"), check=opts.get("--check"))
    elif cmd == "verify":
        return verify(args[0], int(args[1]), *args[2:3])
    elif cmd == "wait-incidents":
        wait_incidents(args[0], int(args[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
