#!/usr/bin/env python3
"""Helpers for bench/notify.sh (Debian python3 standard library only).

  notify.py subscribers DB PLAN N HOOK_BASE      bulk-insert N subscribers; write PLAN (JSON)
  notify.py sample OUT HERALD_PID NGINX_PID SMTP_PID
                                                  every 100 ms: herald VmRSS/VmHWM and CPU ticks
                                                  of herald, nginx (master + workers), SMTP sink
  notify.py publish URL KEY PLAN T0_FILE          POST one incident; T0_FILE gets the time just
                                                  before the request (epoch seconds)
  notify.py wait PLAN HOOK_LOG SMTP_LOG T0_FILE MAX_S STALL_S
                                                  until every expected delivery arrived, nothing
                                                  new for STALL_S, or MAX_S after t0
  notify.py analyze PLAN HOOK_LOG SMTP_LOG T0_FILE SAMPLES DB RESULTS [LABEL]
                                                  figures, count check against the database,
                                                  goals; appends one line to RESULTS

The subscriber mix (environment, read by `subscribers`): NOTIFY_EMAIL_SHARE (0.01) email, the
rest webhook; NOTIFY_FILTER_SHARE (0.2) with component_ids = one of the page's components;
NOTIFY_ENTERPRISE_SHARE (0.05) in segment "enterprise" with priority 10, the rest segment "free"
with priority 0; NOTIFY_AFFECTED (10) components affected by the incident (of the page's 30, so
a filtered subscriber matches one time in three); NOTIFY_SIGNED (1): webhooks carry a whsec_
secret (Standard Webhooks signature per message); NOTIFY_SEED (1).

Segment and channel are visible at the receivers: webhook paths are /hook/ent/ID or /hook/std/ID,
email recipients ent-ID@example.com or std-ID@example.com. NOTIFY_RECEIVER_HOSTS (16): webhook
URLs are spread over that many loopback addresses 127.0.0.1 ... 127.0.0.H (where HOOK_BASE says
{host}), so that, as with real subscribers, not every webhook goes to one host (Herald opens at
most 8 connections per host). Everything talks to 127.0.0.0/8 (loopback) only.
"""
import base64
import collections
import hashlib
import http.client
import json
import os
import signal
import sqlite3
import sys
import time
import urllib.parse

GOALS = {"first_ms": 100.0, "enterprise_s": 5.0, "webhooks_1m_s": 60.0, "rss_mb": 300.0}


def env_float(name, default):
    v = os.environ.get(name, "")
    return float(v) if v else default


# --- setup -----------------------------------------------------------------------------------

def page_and_components(conn):
    pages = conn.execute("SELECT id FROM pages ORDER BY created_at, id").fetchall()
    if not pages:
        raise SystemExit("notify.py: the database has no page (run herald apply first)")
    page_id = pages[0][0]
    comps = [r[0] for r in conn.execute(
        "SELECT id FROM components WHERE page_id = ? AND is_group = 0 ORDER BY position, id", (page_id,))]
    if len(comps) < 2:
        raise SystemExit("notify.py: the page needs at least 2 components")
    return page_id, comps


def subscribers(db, plan_path, n, hook_base):
    import random
    n = int(n)
    email_share = env_float("NOTIFY_EMAIL_SHARE", 0.01)
    filter_share = env_float("NOTIFY_FILTER_SHARE", 0.2)
    ent_share = env_float("NOTIFY_ENTERPRISE_SHARE", 0.05)
    affected_n = int(env_float("NOTIFY_AFFECTED", 10))
    signed = os.environ.get("NOTIFY_SIGNED", "1") == "1"
    hosts = max(1, int(env_float("NOTIFY_RECEIVER_HOSTS", 16)))
    rng = random.Random(int(env_float("NOTIFY_SEED", 1)))

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    page_id, comps = page_and_components(conn)
    affected_n = max(1, min(affected_n, len(comps) - 1))
    affected = comps[:affected_n]
    affected_set = set(affected)
    now_ms = int(time.time() * 1000)
    # A handful of distinct secrets: signing cost is per message, not per distinct secret.
    secrets = ["whsec_" + base64.b64encode(hashlib.sha256(b"bench%d" % k).digest()[:24]).decode() for k in range(64)]

    expect = collections.Counter()

    def rows():
        for i in range(n):
            sid = "sub%08d" % i
            ent = rng.random() < ent_share
            email = rng.random() < email_share
            filtered = rng.random() < filter_share
            comp = rng.choice(comps) if filtered else None
            seg = "ent" if ent else "std"
            if email:
                channel, address, secret = "email", "%s-%s@example.com" % (seg, sid), ""
            else:
                # HOOK_BASE may name the receiving host as {host}: subscriber i gets 127.0.0.(i % H + 1).
                base = hook_base.replace("{host}", "127.0.0.%d" % (i % hosts + 1))
                channel, address = "webhook", "%s/%s/%s" % (base, seg, sid)
                secret = secrets[i % len(secrets)] if signed else ""
            match = comp is None or comp in affected_set
            expect[(channel, seg, match)] += 1
            yield (sid, page_id, channel, address, "active", json.dumps([comp] if comp else []), "en", "",
                   "standard", 31, None, None, "enterprise" if ent else "free", 10 if ent else 0, secret, "", "",
                   "", "", now_ms, now_ms, now_ms, 0, "")

    t = time.time()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO subscribers (id, page_id, channel, address, state, component_ids, language, time_zone, "
        "detail, event_types, quiet_start_minute, quiet_end_minute, segment, priority, secret, push_p256dh, "
        "push_auth, confirm_code_hash, owner_email, created_at, updated_at, confirmed_at, failing_since, "
        "last_error) VALUES (" + ",".join("?" * 24) + ")", rows())
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()
    insert_s = time.time() - t

    def cnt(channel=None, seg=None, match=None):
        return sum(v for (c, s, m), v in expect.items()
                   if (channel is None or c == channel) and (seg is None or s == seg) and (match is None or m == match))

    plan = {
        "n": n, "page_id": page_id, "affected": affected, "components": len(comps),
        "email_share": email_share, "filter_share": filter_share, "enterprise_share": ent_share, "signed": signed,
        "webhook_total": cnt("webhook"), "email_total": cnt("email"),
        "expect_webhook": cnt("webhook", match=True), "expect_webhook_ent": cnt("webhook", "ent", True),
        "expect_email": cnt("email", match=True), "expect_email_ent": cnt("email", "ent", True),
        "filtered_not_matching": cnt(match=False), "insert_s": round(insert_s, 1),
    }
    with open(plan_path, "w") as f:
        json.dump(plan, f, indent=1)
    print("subscribers: %d inserted in %.1f s (webhook %d, email %d); the incident should reach %d webhooks "
          "(%d enterprise) and %d emails (%d enterprise); %d filtered out"
          % (n, insert_s, plan["webhook_total"], plan["email_total"], plan["expect_webhook"],
             plan["expect_webhook_ent"], plan["expect_email"], plan["expect_email_ent"],
             plan["filtered_not_matching"]))


# --- sampling --------------------------------------------------------------------------------

def proc_ticks(pid):
    """utime + stime of pid (all threads), in clock ticks; None when gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def children(pid):
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def status_kb(pid, keys=("VmRSS", "VmHWM")):
    vals = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k = line.split(":", 1)[0]
                if k in keys:
                    vals[k] = int(line.split()[1])
    except OSError:
        return None
    return vals


def sample(out, herald_pid, nginx_pid, smtp_pid):
    herald_pid, nginx_pid, smtp_pid = int(herald_pid), int(nginx_pid), int(smtp_pid)
    stop = False

    def on_term(signum, frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    with open(out, "w", buffering=1) as f:
        f.write("t\trss_kb\thwm_kb\therald_ticks\tnginx_ticks\tsmtp_ticks\n")
        next_at = time.monotonic()
        while not stop:
            st = status_kb(herald_pid)
            if st is None:
                break
            ng = sum(filter(None, [proc_ticks(p) for p in [nginx_pid] + children(nginx_pid)]))
            f.write("%.3f\t%d\t%d\t%s\t%d\t%s\n" % (time.time(), st.get("VmRSS", 0), st.get("VmHWM", 0),
                                                   proc_ticks(herald_pid), ng, proc_ticks(smtp_pid)))
            next_at += 0.1
            time.sleep(max(0.0, next_at - time.monotonic()))


# --- publish and wait ------------------------------------------------------------------------

def publish(url, key, plan_path, t0_file):
    with open(plan_path) as f:
        plan = json.load(f)
    u = urllib.parse.urlsplit(url)
    body = json.dumps({"incident": {
        "name": "Bench: elevated error rates", "status": "investigating", "impact_override": "major",
        "body": "We are investigating elevated error rates on several components.",
        "components": {c: "partial_outage" for c in plan["affected"]}}})
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    c.connect()  # connection set up before t0: t0 is the request itself
    headers = {"Authorization": "OAuth " + key, "Content-Type": "application/json"}
    t0 = time.time()
    c.request("POST", "/v1/pages/%s/incidents" % plan["page_id"], body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    t1 = time.time()
    if r.status // 100 != 2:
        raise SystemExit("publish: %d %r" % (r.status, data[:300]))
    with open(t0_file, "w") as f:
        f.write("%.6f %.6f %s\n" % (t0, t1, json.loads(data)["id"]))
    print("published incident %s (POST took %.1f ms)" % (json.loads(data)["id"], (t1 - t0) * 1000))


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    except OSError:
        return 0


class LineCounter:
    """Counts lines of a growing file incrementally."""

    def __init__(self, path):
        self.path, self.pos, self.n = path, 0, 0

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return self.n
        end = data.rfind(b"\n") + 1
        self.n += data.count(b"\n", 0, end)
        self.pos += end
        return self.n


def wait(plan_path, hook_log, smtp_log, t0_file, max_s, stall_s):
    with open(plan_path) as f:
        plan = json.load(f)
    with open(t0_file) as f:
        t0 = float(f.read().split()[0])
    max_s, stall_s = float(max_s), float(stall_s)
    want_h, want_e = plan["expect_webhook"], plan["expect_email"]
    hooks, mails = LineCounter(hook_log), LineCounter(smtp_log)
    last_total, last_change, last_print = -1, time.time(), 0.0
    while True:
        h, e = hooks.poll(), mails.poll()
        now = time.time()
        if h + e != last_total:
            last_total, last_change = h + e, now
        if now - last_print >= 5:
            print("  t+%5.1f s: webhooks %d/%d, emails %d/%d" % (now - t0, h, want_h, e, want_e), flush=True)
            last_print = now
        if h >= want_h and e >= want_e:
            # Everything expected is in; give duplicates a moment to show up.
            time.sleep(1.0)
            print("  all expected deliveries arrived (t+%.1f s)" % (now - t0))
            return
        if now - t0 > max_s:
            print("  gave up after %.0f s: webhooks %d/%d, emails %d/%d" % (max_s, h, want_h, e, want_e))
            return
        if now - last_change > stall_s:
            print("  stalled: nothing new for %.0f s (webhooks %d/%d, emails %d/%d)" % (stall_s, h, want_h, e, want_e))
            return
        time.sleep(0.2)


# --- analysis --------------------------------------------------------------------------------

def read_hook_log(path):
    """nginx log lines '$msec $request_uri $status $http_webhook_id' -> [(t, seg, id, status, wid)]."""
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            p = parts[1].split("/")  # ['', 'hook', 'ent', 'sub00000001']
            if len(p) < 4 or p[1] != "hook":
                continue
            out.append((float(parts[0]), p[2], p[3], parts[2], parts[3] if len(parts) > 3 else "-"))
    return out


def read_smtp_log(path):
    """smtp_count.py lines '<epoch> <rcpt>' -> [(t, seg, id)]."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) < 2:
                    continue
                local = parts[1].split("@", 1)[0]
                seg, _, sid = local.partition("-")
                out.append((float(parts[0]), seg, sid))
    except OSError:
        pass
    return out


def fmt_s(v):
    return "n/a" if v is None else "%.2f s" % v


def analyze(plan_path, hook_log, smtp_log, t0_file, samples, db, results, label=""):
    with open(plan_path) as f:
        plan = json.load(f)
    with open(t0_file) as f:
        t0_parts = f.read().split()
    t0, t_post = float(t0_parts[0]), float(t0_parts[1])
    hooks = read_hook_log(hook_log)
    mails = read_smtp_log(smtp_log)
    n = plan["n"]

    # Exact check: which subscribers should have heard, from the database itself.
    affected = set(plan["affected"])
    conn = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    groups = {r[0] for r in conn.execute("SELECT group_id FROM components WHERE id IN (%s) AND group_id IS NOT NULL"
                                         % ",".join("?" * len(affected)), list(affected))}
    affected |= groups
    expected = {}  # id -> (channel, seg)
    for sid, channel, address, comp_json, segment in conn.execute(
            "SELECT id, channel, address, component_ids, segment FROM subscribers WHERE state = 'active'"):
        comps = json.loads(comp_json)
        if comps and not affected.intersection(comps):
            continue
        expected[sid] = (channel, "ent" if segment == "enterprise" else "std")
    states = dict(conn.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())
    retried = conn.execute("SELECT COUNT(*) FROM deliveries WHERE attempts > 1").fetchone()[0]
    conn.close()

    got = collections.Counter()
    for _, _, sid, _, _ in hooks:
        got[("webhook", sid)] += 1
    for _, _, sid in mails:
        got[("email", sid)] += 1
    missing = sum(1 for sid, (ch, _) in expected.items() if got[(ch, sid)] == 0)
    dup_msgs = sum(c - 1 for c in got.values() if c > 1)
    dup_subs = sum(1 for c in got.values() if c > 1)
    unexpected = sum(c for (ch, sid), c in got.items() if sid not in expected or expected[sid][0] != ch)
    non_2xx = sum(1 for h in hooks if not h[3].startswith("2"))

    def first_times(rows):
        """Time of the first arrival per subscriber (duplicates ignored)."""
        seen = {}
        for r in rows:
            if r[2] not in seen or r[0] < seen[r[2]][0]:
                seen[r[2]] = (r[0], r[1])
        return seen

    hook_first = first_times(hooks)
    mail_first = first_times(mails)
    exp_h = sum(1 for v in expected.values() if v[0] == "webhook")
    exp_e = sum(1 for v in expected.values() if v[0] == "email")
    exp_ent = sum(1 for v in expected.values() if v[1] == "ent")
    all_times = [v[0] for v in hook_first.values()] + [v[0] for v in mail_first.values()]
    ent_times = [v[0] for v in hook_first.values() if v[1] == "ent"] + \
                [v[0] for v in mail_first.values() if v[1] == "ent"]

    first_ms = (min(all_times) - t0) * 1000 if all_times else None
    first_hook_ms = (min(v[0] for v in hook_first.values()) - t0) * 1000 if hook_first else None
    ent_s = (max(ent_times) - t0) if ent_times and len(ent_times) >= exp_ent else None
    hooks_done_s = (max(v[0] for v in hook_first.values()) - t0) if len(hook_first) >= exp_h and hook_first else None
    hooks_last_s = (max(v[0] for v in hook_first.values()) - t0) if hook_first else None
    mails_done_s = (max(v[0] for v in mail_first.values()) - t0) if mail_first else None
    email_rate = None
    if len(mail_first) > 1:
        ts = sorted(v[0] for v in mail_first.values())
        email_rate = (len(ts) - 1) / max(1e-9, ts[-1] - ts[0])
    overall_s = (max(all_times) - t0) if all_times else None
    overall_rate = len(all_times) / overall_s if overall_s else None
    # Steady webhook rate: between 10% and 90% of the webhooks (ramp-up and tail excluded).
    steady = None
    if len(hook_first) > 20:
        ts = sorted(v[0] for v in hook_first.values())
        a, b = ts[len(ts) // 10], ts[len(ts) * 9 // 10]
        steady = (len(ts) * 8 // 10) / max(1e-9, b - a)
    # Extrapolation to 1M webhooks at the steady rate (for runs with fewer subscribers).
    proj_1m = (1_000_000 / steady) if steady else None

    peak_kb = 0
    rss_end_kb = 0
    cpu = {}
    herald_cpu_s = 0.0
    try:
        with open(samples) as f:
            rows = [line.rstrip("\n").split("\t") for line in f][1:]
        rows = [r for r in rows if len(r) == 6]
        for r in rows:
            peak_kb = max(peak_kb, int(r[2]))
            rss_end_kb = int(r[1])
        # CPU use during the delivery window (t0 .. last delivery), in cores.
        end = t0 + (overall_s or 0)
        win = [r for r in rows if t0 <= float(r[0]) <= end]
        if len(win) >= 2:
            hz = os.sysconf("SC_CLK_TCK")
            dt = float(win[-1][0]) - float(win[0][0])
            for name, col in (("herald", 3), ("nginx", 4), ("smtp sink", 5)):
                try:
                    cpu[name] = (int(win[-1][col]) - int(win[0][col])) / hz / dt
                except ValueError:
                    pass
            herald_cpu_s = cpu.get("herald", 0) * dt
    except OSError:
        pass

    # Throughput timeline: webhook+email arrivals per second, in 5 s buckets.
    buckets = collections.Counter(int((t - t0) // 5) for t in all_times)

    print()
    print("== results %s(N=%d subscribers: %d webhook, %d email; %d matching the incident)"
          % (label + " " if label else "", n, plan["webhook_total"], plan["email_total"], len(expected)))
    print("publish POST answered after        %.1f ms" % ((t_post - t0) * 1000))
    print("first delivery (any channel)       %s   goal < 100 ms  %s"
          % ("n/a" if first_ms is None else "%.1f ms" % first_ms, verdict(first_ms, GOALS["first_ms"])))
    print("first webhook delivery             %s" % ("n/a" if first_hook_ms is None else "%.1f ms" % first_hook_ms))
    print("enterprise segment done (%d)     %s   goal < 5 s     %s"
          % (exp_ent, fmt_s(ent_s), verdict(ent_s, GOALS["enterprise_s"])))
    print("all webhooks arrived (%d/%d)   %s%s" % (len(hook_first), exp_h, fmt_s(hooks_done_s),
                                                  "" if hooks_done_s is not None else
                                                  " (last arrival at %s)" % fmt_s(hooks_last_s)))
    print("webhooks/s steady (10%%-90%%)        %s" % ("n/a" if steady is None else "%.0f" % steady))
    print("  -> 1M webhooks at that rate      %s   goal < 60 s    %s"
          % (fmt_s(proj_1m), verdict(proj_1m, GOALS["webhooks_1m_s"])))
    print("emails (%d/%d)                    last at %s, %s emails/s"
          % (len(mail_first), exp_e, fmt_s(mails_done_s), "n/a" if email_rate is None else "%.0f" % email_rate))
    print("deliveries/s overall               %s" % ("n/a" if overall_rate is None else "%.0f" % overall_rate))
    print("herald peak RSS (VmHWM)            %.1f MB   goal < 300 MB  %s (VmRSS at end %.1f MB)"
          % (peak_kb / 1024, verdict(peak_kb / 1024 if peak_kb else None, GOALS["rss_mb"]), rss_end_kb / 1024))
    print("CPU during delivery (cores)        " + ", ".join("%s %.2f" % kv for kv in cpu.items()))
    # Independent of how much CPU other processes left to herald on a shared machine.
    per_cpu_s = len(all_times) / herald_cpu_s if herald_cpu_s else None
    print("deliveries per herald CPU-second   %s (herald used %.1f CPU-s; load average now %s)"
          % ("n/a" if per_cpu_s is None else "%.0f" % per_cpu_s, herald_cpu_s,
             " ".join(open("/proc/loadavg").read().split()[:3])))
    print("count check: missing %d, duplicate messages %d (on %d subscribers), unexpected %d, non-2xx %d"
          % (missing, dup_msgs, dup_subs, unexpected, non_2xx))
    print("herald deliveries table: %s; %d with more than one attempt"
          % (", ".join("%s %d" % kv for kv in sorted(states.items())), retried))
    print("arrivals per 5 s: " + " ".join("%d" % buckets.get(i, 0) for i in range(max(buckets) + 1 if buckets else 0)))
    ok = missing == 0 and dup_msgs == 0 and unexpected == 0

    line = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0)), "label": label, "n": n,
        "webhooks_expected": exp_h, "webhooks_got": len(hook_first), "emails_expected": exp_e,
        "emails_got": len(mail_first), "first_ms": r1(first_ms), "enterprise_s": r2(ent_s),
        "webhooks_done_s": r2(hooks_done_s), "webhooks_per_s_steady": r0(steady), "proj_1m_s": r2(proj_1m),
        "emails_per_s": r0(email_rate), "deliveries_per_s": r0(overall_rate), "peak_rss_mb": round(peak_kb / 1024, 1),
        "cpu": {k: round(v, 2) for k, v in cpu.items()}, "per_herald_cpu_s": r0(per_cpu_s), "missing": missing, "duplicates": dup_msgs,
        "unexpected": unexpected, "non_2xx": non_2xx, "ok": ok,
    }
    with open(results, "a") as f:
        f.write(json.dumps(line) + "\n")
    print("appended to %s" % results)
    return 0 if ok else 1


def verdict(v, goal):
    if v is None:
        return "(not measured)"
    return "met" if v < goal else "NOT MET"


def r0(v):
    return None if v is None else round(v)


def r1(v):
    return None if v is None else round(v, 1)


def r2(v):
    return None if v is None else round(v, 2)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = sys.argv[1], sys.argv[2:]
    fns = {"subscribers": subscribers, "sample": sample, "publish": publish, "wait": wait, "analyze": analyze}
    if cmd not in fns:
        print(__doc__, file=sys.stderr)
        return 2
    return fns[cmd](*args) or 0


if __name__ == "__main__":
    sys.exit(main())
