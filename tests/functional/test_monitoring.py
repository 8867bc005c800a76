#!/usr/bin/env python3
"""Monitoring end to end with real parts: the real binary checks a real HTTP target on 127.0.0.1
(tests/fixtures/monitor_target.py) that the test makes fail; staff hear about it on a real webhook
receiver, the component's status follows, the automation rule opens an incident and the
subscribers are notified; on recovery the incident moves to monitoring and is resolved after its
quiet period. Then a restart with kill -9 keeps the monitor's confirmed state."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, fresh_postgres_database, main, missing_fixture  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "fixtures")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def records(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


class Target:
    def __init__(self):
        self.proc = subprocess.Popen([PYTHON, os.path.join(FIXTURES, "monitor_target.py")], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("monitor_target.py did not start: " + self.proc.stderr.read())
        self.ports = json.loads(line)
        self.url = f"http://127.0.0.1:{self.ports['http']}"

    def mode(self, mode):
        with urllib.request.urlopen(f"{self.url}/_control?mode={mode}", timeout=5) as r:
            assert json.loads(r.read())["mode"] == mode

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stdout.close()
        self.proc.stderr.close()


class Receiver:
    def __init__(self, log):
        self.proc = subprocess.Popen([PYTHON, os.path.join(FIXTURES, "webhook_receiver.py"), log],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline().strip())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(5)
        self.proc.stdout.close()
        self.proc.stderr.close()


class MonitoringTest(unittest.TestCase):
    backend = "sqlite"

    def setUp(self):
        self.db = None
        if self.backend == "postgresql":
            self.db = fresh_postgres_database()
            if not self.db:
                missing_fixture("HERALD_TEST_PG_URL is not set (make test sets it)")
        self.tmp = tempfile.mkdtemp(prefix="herald-monitor-")
        self.hook_log = os.path.join(self.tmp, "hooks.jsonl")
        self.target = Target()
        self.hooks = Receiver(self.hook_log)
        self.herald = None

    def tearDown(self):
        if self.herald:
            self.herald.cleanup()
        self.target.stop()
        self.hooks.stop()

    def start(self, db=None):
        env = {"HERALD_NOTIFY_ALLOW_PRIVATE": "127.0.0.0/8", "HERALD_NOTIFY_ALLOW_HTTP": "1"}
        self.herald = Herald(db=db or self.db, demo=True, env=env).start()
        self.admin = self.herald.token("admin")
        pages = self.herald.get("/v1/pages", token=self.admin).json()
        self.page_id = next(p for p in pages if p.get("is_default", True))["id"]
        return self.herald

    def api(self, method, path, body=None, status=None):
        r = self.herald.request(method, f"/v1/pages/{self.page_id}{path}", body, token=self.admin)
        if status is not None:
            self.assertEqual(r.status, status, r.body)
        return r.json() if r.body else None

    def component(self, name):
        comps = self.api("GET", "/components")
        return next(c for c in comps if c["name"] == name)

    def hooks_at(self, prefix):
        return [r for r in records(self.hook_log) if r["path"].startswith(prefix)]

    def test_failure_reaches_staff_and_customers_and_recovery_resolves(self):
        h = self.start()
        search = self.component("Invoices")
        self.assertEqual(search["status"], "operational")
        self.api("PUT", f"/automation_rules/{search['id']}", {"automation_rule": {
            "mode": "publish", "notify": True, "resolve_after_seconds": 6}}, status=200)
        self.api("POST", "/alert_targets", {"alert_target": {
            "name": "on-call", "channel": "webhook", "address": f"http://127.0.0.1:{self.hooks.port}/staff"}},
            status=201)
        self.api("POST", "/subscribers", {"subscriber": {
            "channel": "webhook", "endpoint": f"http://127.0.0.1:{self.hooks.port}/customer",
            "component_ids": [search["id"]]}}, status=201)
        mon = self.api("POST", "/monitors", {"monitor": {
            "name": "Search API", "kind": "http", "target": f"{self.target.url}/ok", "keyword": "ok",
            "component_id": search["id"], "interval_seconds": 5, "timeout_seconds": 2,
            "failures_to_down": 2, "failure_window": 3, "successes_to_up": 1}}, status=201)
        h.wait_for(lambda: self.api("GET", f"/monitors/{mon['id']}")["state"] == "up", timeout=15,
                   what="monitor up")
        self.assertEqual(self.hooks_at("/staff"), [], "a new monitor coming up is not an alert")

        # The target starts answering 503: after 2 failed checks staff, status and customers follow.
        self.target.mode("down")
        h.wait_for(lambda: self.hooks_at("/staff"), timeout=20, what="staff alert")
        alert = self.hooks_at("/staff")[0]
        self.assertIn("Search API", alert["body"])
        self.assertIn("503", alert["body"], "the alert carries the evidence")
        self.assertEqual(self.api("GET", f"/monitors/{mon['id']}")["state"], "down")
        h.wait_for(lambda: self.component("Invoices")["status"] == "major_outage", timeout=5, what="component status")

        def public_status():  # the public snapshot is rebuilt asynchronously
            public = h.get("/api/v2/components.json").json()
            return next(c for c in public["components"] if c["id"] == search["id"])["status"]
        h.wait_for(lambda: public_status() == "major_outage", timeout=5, what="public component status")

        def automatic_incident():
            open_ = h.get("/api/v2/incidents/unresolved.json").json()["incidents"]
            return [i for i in open_ if any(c["id"] == search["id"] for c in i["components"])]
        h.wait_for(automatic_incident, timeout=5, what="automatic incident")
        incident = automatic_incident()[0]
        self.assertIn("Invoices", incident["name"])
        h.wait_for(lambda: any((r.get("json") or {}).get("incident", {}).get("id") == incident["id"]
                               for r in self.hooks_at("/customer")), timeout=15, what="customer notification")
        results = self.api("GET", f"/monitors/{mon['id']}/results")
        self.assertTrue(any(s["verdict"] == "down" and s["status_code"] == 503 for s in results["samples"]))

        # More failures join the same incident: still exactly one after two more failed checks.
        def down_checks():
            return sorted(x["at"] for x in self.api("GET", f"/monitors/{mon['id']}/results")["samples"]
                          if x["verdict"] == "down")
        seen = down_checks()
        h.wait_for(lambda: len([t for t in down_checks() if t > seen[-1]]) >= 2, timeout=20,
                   what="two more failed checks")
        self.assertEqual(len(automatic_incident()), 1)

        # Recovery: monitoring update, then resolved after the quiet period; staff told it is up.
        self.target.mode("up")
        h.wait_for(lambda: any("monitor.up" in r["body"] or "up" in (r.get("json") or {}).get("kind", "")
                               for r in self.hooks_at("/staff")[1:]), timeout=20, what="recovery alert")
        h.wait_for(lambda: self.component("Invoices")["status"] == "operational", timeout=10, what="operational")
        h.wait_for(lambda: not automatic_incident(), timeout=30, what="incident resolved")
        full = self.api("GET", f"/incidents/{incident['id']}")
        self.assertEqual(full["status"], "resolved")
        self.assertIn("monitoring", [u["status"] for u in full["incident_updates"]])

    def test_state_survives_kill_9(self):
        h = self.start(db="sqlite:" + os.path.join(self.tmp, "herald.db") if not self.db else self.db)
        mon = self.api("POST", "/monitors", {"monitor": {
            "name": "Target", "kind": "http", "target": f"{self.target.url}/ok", "interval_seconds": 5,
            "timeout_seconds": 2, "failures_to_down": 1, "failure_window": 1}}, status=201)
        self.target.mode("down")
        h.wait_for(lambda: self.api("GET", f"/monitors/{mon['id']}")["state"] == "down", timeout=20,
                   what="monitor down")
        db = h.db
        h.proc.send_signal(signal.SIGKILL)
        h.proc.wait()
        self.herald = Herald(db=db, env={"HERALD_NOTIFY_ALLOW_PRIVATE": "127.0.0.0/8",
                                         "HERALD_NOTIFY_ALLOW_HTTP": "1"}).start()
        self.assertEqual(self.api("GET", f"/monitors/{mon['id']}")["state"], "down")
        samples = self.api("GET", f"/monitors/{mon['id']}/results")["samples"]
        self.assertTrue(samples and samples[0]["verdict"] == "down")


class MonitoringPostgresTest(MonitoringTest):
    backend = "postgresql"


if __name__ == "__main__":
    main()
