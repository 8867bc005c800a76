#!/usr/bin/env python3
"""Monitoring bench (issue 4, "Performance"): bench/monitor.sh runs it; standard library only.

In one run, all on 127.0.0.1:
  1. nginx serves the target (`/health/N` answers 200 "ok"; `/canary` answers 503 while the file
     DOWN exists) and receives the alerts (`/alert/...` for staff, `/customer/...` for
     subscribers; each logged with $msec when the request ends);
  2. a fresh SQLite database with the bench page (`herald apply`), an admin key, then `herald
     serve`; N HTTP monitors (default 10,000) at INTERVAL s (default 30) created through the
     management API, each on its own URL of the target;
  3. after one interval of warm-up, a measuring window of WINDOW s (default 120): Herald's CPU
     time from /proc, checks completed and the scheduling lag from /metrics, peak RSS;
  4. the canary: a 5 s monitor on component "API" with an automation rule (publish), a staff
     webhook target and a webhook subscriber; the target is made to fail; measured: from the
     failing check that met the threshold (its start + its duration, from the results API) to
     the staff alert and to the customer notification arriving at nginx;
  5. the reference: prometheus-blackbox-exporter probing the same target URL (module http_2xx,
     a new connection per probe like Herald's checks), driven by wrk with 8 connections for
     BB_SECONDS (default 20); its CPU time from /proc gives checks per CPU-second.
Prints a table and appends one JSON line to RESULTS (out/monitor-results.jsonl).
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench  # noqa: E402  (page_toml)

TICK = os.sysconf("SC_CLK_TCK")


def env_int(name, default):
    return int(os.environ.get(name, default))


N = env_int("N", 10000)
INTERVAL = env_int("INTERVAL", 30)
WINDOW = env_int("WINDOW", 120)
BB_SECONDS = env_int("BB_SECONDS", 20)
RESULTS = os.environ.get("RESULTS", os.path.join(ROOT, "out", "monitor-results.jsonl"))
LABEL = os.environ.get("LABEL", "")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def proc_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except OSError:
        return None


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_http(url, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            u = urllib.parse.urlsplit(url)
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
            c.request("GET", u.path or "/")
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


class Api:
    def __init__(self, url, key):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.key = u.hostname, u.port, key
        self.local = threading.local()

    def call(self, method, path, body=None, retry=True):
        c = getattr(self.local, "conn", None)
        if c is None:
            c = self.local.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        try:
            c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            r = c.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            self.local.conn = None
            if retry:  # the server closed an idle keep-alive connection: once more on a new one
                return self.call(method, path, body, retry=False)
            raise
        if r.status // 100 != 2:
            raise RuntimeError(f"{method} {path}: {r.status} {data[:400]!r}")
        return json.loads(data) if data else None


# /metrics is off on the public listener unless a token is set.
METRICS_TOKEN = "bench-metrics-token-0123456789"


def metrics(url):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    c.request("GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    text = c.getresponse().read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, value = line.rpartition(" ")
        try:
            out[name] = float(value)
        except ValueError:
            pass
    return out


def nginx_conf(tmp, port):
    user = ""
    if os.getuid() == 0:
        import grp
        import pwd
        user = "user nobody %s;" % grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
    return f"""# Generated by bench/monitor.py: the monitored target and the alert receivers.
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  log_format hook '$msec $request_uri $status';
  access_log off;
  keepalive_requests 10000000;
  client_body_temp_path {tmp}/nginx-tmp/body;
  proxy_temp_path {tmp}/nginx-tmp/proxy;
  fastcgi_temp_path {tmp}/nginx-tmp/fastcgi;
  uwsgi_temp_path {tmp}/nginx-tmp/uwsgi;
  scgi_temp_path {tmp}/nginx-tmp/scgi;
  server {{
    listen 127.0.0.1:{port};
    default_type text/plain;
    location /health/ {{ return 200 "ok\\n"; }}
    location = /canary {{
      access_log {tmp}/canary.log hook;
      if (-f {tmp}/www/DOWN) {{ return 503 "down\\n"; }}
      return 200 "ok\\n";
    }}
    location /alert/ {{ access_log {tmp}/hooks.log hook; return 204; }}
    location /customer/ {{ access_log {tmp}/hooks.log hook; return 204; }}
    location / {{ return 404; }}
  }}
}}
"""


def first_hook(path, prefix, after):
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[1].startswith(prefix) and float(parts[0]) >= after:
                    return float(parts[0])
    except OSError:
        pass
    return None


def blackbox(tmp, target_url):
    exe = shutil.which("prometheus-blackbox-exporter")
    wrk = shutil.which("wrk")
    if not exe or not wrk:
        return {"error": "prometheus-blackbox-exporter or wrk missing (scripts/deps.sh bench)"}
    cfg = os.path.join(tmp, "blackbox.yml")
    with open(cfg, "w") as f:
        f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 10s\n"
                "    http:\n      preferred_ip_protocol: ip4\n")
    port = free_port()
    log = open(os.path.join(tmp, "blackbox.log"), "w")
    p = subprocess.Popen([exe, f"--config.file={cfg}", f"--web.listen-address=127.0.0.1:{port}"],
                         stdout=log, stderr=log)
    try:
        probe = f"http://127.0.0.1:{port}/probe?module=http_2xx&target=" + urllib.parse.quote(target_url, safe="")
        wait_http(f"http://127.0.0.1:{port}/", 20)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", probe[len(f"http://127.0.0.1:{port}"):])
        body = c.getresponse().read().decode()
        if "probe_success 1" not in body:
            return {"error": "blackbox probe did not succeed: " + body[-300:]}
        t0, c0 = time.time(), proc_ticks(p.pid)
        out = subprocess.run([wrk, "-t1", "-c8", f"-d{BB_SECONDS}s", probe], capture_output=True, text=True,
                             timeout=BB_SECONDS + 60).stdout
        t1, c1 = time.time(), proc_ticks(p.pid)
        m = re.search(r"(\d+) requests in", out)
        checks = int(m.group(1)) if m else 0
        cpu = (c1 - c0) / TICK
        return {"checks": checks, "seconds": round(t1 - t0, 2), "cpu_s": round(cpu, 2),
                "checks_per_s": round(checks / (t1 - t0), 1),
                "checks_per_cpu_s": round(checks / cpu, 1) if cpu > 0 else None,
                "peak_rss_mb": round(status_kb(p.pid, "VmHWM") / 1024, 1)}
    finally:
        p.terminate()
        p.wait(10)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        print("usage: monitor.py PATH_TO_HERALD", file=sys.stderr)
        return 2
    herald = os.path.realpath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="herald-monitor.")
    os.chmod(tmp, 0o755)
    os.makedirs(os.path.join(tmp, "nginx-tmp"))
    os.makedirs(os.path.join(tmp, "www"))
    procs = []
    result = {"label": LABEL, "n": N, "interval_s": INTERVAL, "window_s": WINDOW, "nproc": os.cpu_count(),
              "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        nport = free_port()
        with open(os.path.join(tmp, "nginx.conf"), "w") as f:
            f.write(nginx_conf(tmp, nport))
        for name in ("hooks.log", "canary.log"):
            open(os.path.join(tmp, name), "w").close()
            os.chmod(os.path.join(tmp, name), 0o666)
        procs.append(subprocess.Popen(["nginx", "-c", os.path.join(tmp, "nginx.conf"), "-p", tmp],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        target = f"http://127.0.0.1:{nport}"
        wait_http(target + "/health/0")

        db = "sqlite:" + os.path.join(tmp, "herald.db")
        bench.page_toml(os.path.join(tmp, "page.toml"))
        subprocess.run([herald, "migrate", "--db", db], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([herald, "apply", os.path.join(tmp, "page.toml"), "--db", db], check=True,
                       stdout=subprocess.DEVNULL)
        key = subprocess.run([herald, "token", "create", "--name", "bench", "--role", "admin", "--db", db],
                             check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        env = dict(os.environ, HERALD_NOTIFY_ALLOW_PRIVATE="127.0.0.0/8", HERALD_NOTIFY_ALLOW_HTTP="1",
                   HERALD_HTTP_API_PER_SECOND="100000", HERALD_HTTP_API_BURST="100000",
                   HERALD_METRICS_TOKEN=METRICS_TOKEN)
        out = open(os.path.join(tmp, "herald.stdout.log"), "w+")
        err = open(os.path.join(tmp, "herald.stderr.log"), "w")
        hp = subprocess.Popen([herald, "serve", "--listen", "127.0.0.1:0", "--db", db], stdout=out, stderr=err,
                              env=env)
        procs.append(hp)
        port = None
        for _ in range(600):
            out.seek(0)
            m = re.search(r"herald listening on port (\d+)", out.read())
            if m:
                port = int(m.group(1))
                break
            if hp.poll() is not None:
                raise RuntimeError("herald exited: " + open(err.name).read()[-2000:])
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/healthz")
        api = Api(url, key)
        page = api.call("GET", "/v1/pages")[0]["id"]
        comps = {c["name"]: c["id"] for c in api.call("GET", f"/v1/pages/{page}/components")}

        # --- N monitors through the API, 8 connections ---
        t0 = time.time()
        errors = []

        def create(lo, hi):
            for i in range(lo, hi):
                try:
                    api.call("POST", f"/v1/pages/{page}/monitors", {"monitor": {
                        "name": f"bench {i}", "kind": "http", "target": f"{target}/health/{i}",
                        "interval_seconds": INTERVAL, "timeout_seconds": 10}})
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(str(e))
                    return
        step = (N + 7) // 8
        threads = [threading.Thread(target=create, args=(k, min(N, k + step))) for k in range(0, N, step)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise RuntimeError("creating monitors: " + errors[0])
        result["create_s"] = round(time.time() - t0, 1)
        print(f"created {N} monitors in {result['create_s']} s; warming up for {INTERVAL + 5} s", flush=True)
        time.sleep(INTERVAL + 5)

        # --- steady state ---
        m0, c0, w0 = metrics(url), proc_ticks(hp.pid), time.time()
        time.sleep(WINDOW)
        m1, c1, w1 = metrics(url), proc_ticks(hp.pid), time.time()
        checks = m1.get("herald_monitor_checks_total", 0) - m0.get("herald_monitor_checks_total", 0)
        cpu = (c1 - c0) / TICK
        result["herald"] = {
            "checks": int(checks), "seconds": round(w1 - w0, 1), "cpu_s": round(cpu, 2),
            "cpu_cores": round(cpu / (w1 - w0), 3), "checks_per_s": round(checks / (w1 - w0), 1),
            "checks_per_cpu_s": round(checks / cpu, 1) if cpu > 0 else None,
            "lag_p99_s": m1.get('herald_monitor_schedule_lag_seconds{quantile="0.99"}'),
            "lag_max_s": m1.get("herald_monitor_schedule_lag_max_seconds"),
            "write_failures": m1.get("herald_monitor_write_failures_total", 0),
            "peak_rss_mb": round(status_kb(hp.pid, "VmHWM") / 1024, 1),
        }
        print("herald steady:", json.dumps(result["herald"]), flush=True)

        # --- canary: failure to staff alert and customer notification ---
        comp = comps["API"]
        api.call("PUT", f"/v1/pages/{page}/automation_rules/{comp}",
                 {"automation_rule": {"mode": "publish", "notify": True}})
        api.call("POST", f"/v1/pages/{page}/alert_targets",
                 {"alert_target": {"name": "on-call", "channel": "webhook", "address": f"{target}/alert/staff"}})
        api.call("POST", f"/v1/pages/{page}/subscribers",
                 {"subscriber": {"endpoint": f"{target}/customer/1", "skip_confirmation_notification": True}})
        canary = api.call("POST", f"/v1/pages/{page}/monitors", {"monitor": {
            "name": "canary", "kind": "http", "target": f"{target}/canary", "component_id": comp,
            "interval_seconds": 5, "timeout_seconds": 2, "failures_to_down": 2, "failure_window": 2}})
        cid = canary["id"]
        for _ in range(200):  # until the canary is confirmed up
            if api.call("GET", f"/v1/pages/{page}/monitors/{cid}").get("state") == "up":
                break
            time.sleep(0.1)
        t_fail = time.time()
        open(os.path.join(tmp, "www", "DOWN"), "w").close()
        staff = customer = None
        deadline = time.time() + 60
        while time.time() < deadline and (staff is None or customer is None):
            staff = staff or first_hook(os.path.join(tmp, "hooks.log"), "/alert/", t_fail)
            customer = customer or first_hook(os.path.join(tmp, "hooks.log"), "/customer/", t_fail)
            time.sleep(0.05)
        res = api.call("GET", f"/v1/pages/{page}/monitors/{cid}/results")
        failing = [s for s in res.get("samples", []) if s.get("verdict") == "down"]
        failing.sort(key=lambda s: s["at"])
        threshold_at = None
        if len(failing) >= 2:
            s = failing[1]  # the second failure of 2-of-2 met the threshold
            at = s["at"]
            if isinstance(at, str):  # ISO 8601, as the API writes times
                import datetime
                at = datetime.datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()
            else:
                at = at / 1000.0
            threshold_at = at + s.get("timings", {}).get("total_ms", 0) / 1000.0
        result["canary"] = {
            "threshold_after_failure_s": round(threshold_at - t_fail, 3) if threshold_at else None,
            "staff_alert_after_threshold_s": round(staff - threshold_at, 3) if staff and threshold_at else None,
            "customer_after_threshold_s": round(customer - threshold_at, 3) if customer and threshold_at else None,
        }
        print("canary:", json.dumps(result["canary"]), flush=True)
        result["herald"]["peak_rss_mb"] = round(status_kb(hp.pid, "VmHWM") / 1024, 1)

        # --- reference: blackbox_exporter on the same target ---
        hp.send_signal(signal.SIGSTOP)  # keep Herald's checks from competing for the cores
        try:
            result["blackbox"] = blackbox(tmp, f"{target}/health/0")
        finally:
            hp.send_signal(signal.SIGCONT)
        print("blackbox:", json.dumps(result["blackbox"]), flush=True)
        h, b = result["herald"], result["blackbox"]
        if h.get("checks_per_cpu_s") and b.get("checks_per_cpu_s"):
            result["ratio_checks_per_cpu_s"] = round(h["checks_per_cpu_s"] / b["checks_per_cpu_s"], 2)
        goals = {
            "cpu_under_quarter_core": h["cpu_cores"] < 0.25,
            "lag_p99_under_1s": h["lag_p99_s"] is not None and h["lag_p99_s"] < 1,
            "staff_alert_under_1s": (result["canary"]["staff_alert_after_threshold_s"] or 99) < 1,
            "customer_under_1s": (result["canary"]["customer_after_threshold_s"] or 99) < 1,
        }
        result["goals"] = goals
        print(json.dumps(result, indent=2))
        os.makedirs(os.path.dirname(RESULTS), exist_ok=True)
        with open(RESULTS, "a") as f:
            f.write(json.dumps(result) + "\n")
        return 0
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
        if os.environ.get("KEEP") == "1":
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
