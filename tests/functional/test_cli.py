"""The `herald` command line as operators and scripts use it, against a real database file,
with a running server picking up the changes."""
import json
import os
import subprocess
import sys
import tempfile
import shutil
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import HERALD, Herald, main, run_cli  # noqa: E402

APPLY = """
[[page]]
slug = "acme"
name = "Acme"
default = true
time_zone = "America/New_York"

  [[page.component]]
  name = "API"
  group = "Core"
  description = "Public API"

  [[page.component]]
  name = "Website"
  group = "Core"

  [[page.component]]
  name = "Internal queue"
  hidden = true
"""


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="herald-cli-")
        self.db = f"sqlite:{self.tmp}/h.db"
        self.file = os.path.join(self.tmp, "herald.toml")
        with open(self.file, "w") as f:
            f.write(APPLY)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cli(self, *args, check=True):
        return run_cli(*args, db=self.db, check=check)

    def test_help_everywhere(self):
        for args in [["--help"], ["serve", "--help"], ["incident", "open", "--help"], ["token", "create", "--help"],
                     ["apply", "--help"], ["export", "--help"], ["maintenance", "schedule", "--help"]]:
            p = subprocess.run([HERALD, *args], capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, args)
            self.assertIn("Usage", p.stdout + p.stderr)

    def test_apply_is_idempotent(self):
        p = self.cli("apply", self.file)
        self.assertIn("applied", p.stdout)
        p = self.cli("apply", self.file)
        self.assertIn("no changes", p.stdout)
        listing = self.cli("component", "list").stdout
        self.assertEqual(listing.count("\tgroup\t"), 1)
        self.assertIn("API", listing)
        with open(self.file, "a") as f:
            f.write('\n  [[page.component]]\n  name = "Search"\n  group = "Core"\n')
        self.assertIn("applied", self.cli("apply", self.file).stdout)
        self.assertIn("Search", self.cli("component", "list").stdout)

    def test_apply_yaml_is_the_same_as_toml(self):
        yaml_file = os.path.join(self.tmp, "herald.yaml")
        with open(yaml_file, "w") as f:
            f.write("""page:
  - slug: acme
    name: Acme
    default: true
    time_zone: America/New_York
    component:
      - name: API
        group: Core
        description: Public API
      - name: Website
        group: Core
      - name: "404"
        position: 7
      - name: Internal queue
        hidden: true
""")
        self.assertIn("applied", self.cli("apply", yaml_file).stdout)
        self.assertIn("no changes", self.cli("apply", yaml_file).stdout)
        listing = self.cli("component", "list").stdout
        self.assertEqual(listing.count("\tgroup\t"), 1)
        for name in ["API", "Website", "404", "Internal queue"]:
            self.assertIn(name, listing)
        self.assertIn("\t404", listing)  # a quoted number stays a name
        with open(yaml_file, "w") as f:
            f.write("page:\n  - slug: acme\n    name: [unclosed\n")
        p = self.cli("apply", yaml_file, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("herald.yaml:", p.stderr)

    def test_apply_reports_bad_files(self):
        bad = os.path.join(self.tmp, "bad.toml")
        with open(bad, "w") as f:
            f.write('[[page]]\nslug = "Not A Slug!"\nname = "x"\n')
        p = self.cli("apply", bad, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("slug", p.stderr)
        with open(bad, "w") as f:
            f.write('[[page]\nslug = \n')
        p = self.cli("apply", bad, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("bad.toml", p.stderr)

    def test_monitors_from_apply_and_cli_reach_the_server_and_heartbeats(self):
        with open(self.file, "a") as f:
            f.write("""
  [[page.monitor]]
  name = "API health"
  component = "API"
  kind = "http"
  target = "https://api.example.com/health"
  interval = "30s"

  [[page.monitor]]
  name = "Nightly backup"
  kind = "heartbeat"
  interval = "1d"
  grace = "1h"
""")
        p = self.cli("apply", self.file)
        self.assertIn("applied", p.stdout)
        token = p.stdout.split('heartbeat token for monitor "Nightly backup" (shown only now): ')[1].split()[0]
        self.assertIn("no changes", self.cli("apply", self.file).stdout)
        p = self.cli("monitor", "add", "--name", "DB", "--kind", "tcp", "--target", "db.internal:5432",
                     "--component", "API")
        monitor_id = p.stdout.split()[0]
        listing = self.cli("monitor", "list").stdout
        for name in ["API health", "Nightly backup", "DB", "STATE", "LAST ERROR"]:
            self.assertIn(name, listing)
        bad = self.cli("monitor", "add", "--name", "x", "--target", "ftp://x", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertTrue(bad.stderr.startswith("herald: target"), bad.stderr)
        self.cli("monitor", "remove", monitor_id)
        self.assertNotIn("DB", self.cli("monitor", "list").stdout.replace("API", ""))
        h = Herald(db=self.db).start()
        try:
            r = h.request("GET", f"/heartbeat/{token}")
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json(), {"ok": True})
            self.assertEqual(h.request("POST", f"/heartbeat/{token}").status, 200)
            self.assertEqual(h.request("GET", "/heartbeat/not-a-real-token-at-all").status, 404)
            key = h.token("viewer")
            page = h.request("GET", "/v1/pages", token=key).json()[0]["id"]
            monitors = h.request("GET", f"/v1/pages/{page}/monitors", token=key).json()
            backup = next(m for m in monitors if m["name"] == "Nightly backup")
            self.assertIsNotNone(backup["last_heartbeat_at"])
            self.assertNotIn(token, json.dumps(monitors))
        finally:
            h.cleanup()

    def test_token_prints_key_alone_on_last_line(self):
        self.cli("migrate")
        p = self.cli("token", "create", "--name", "ci", "--role", "responder")
        key = p.stdout.strip().splitlines()[-1]
        self.assertRegex(key, r"^hrld_[0-9a-f]{64}$")
        p = self.cli("token", "list")
        self.assertIn("responder", p.stdout)
        self.assertNotIn(key, p.stdout)
        p = self.cli("token", "create", "--name", "x", "--role", "overlord", check=False)
        self.assertNotEqual(p.returncode, 0)

    def test_incident_lifecycle_from_the_cli_reaches_the_running_server(self):
        self.cli("apply", self.file)
        h = Herald(db=self.db).start()
        try:
            p = self.cli("incident", "open", "--name", "API errors", "--status", "investigating",
                         "--body", "Some requests fail.", "--component", "API=partial_outage")
            inc = json.loads(p.stdout)
            self.assertEqual(inc["status"], "investigating")
            self.assertEqual(inc["impact"], "major")
            h.wait_for(lambda: any(i["id"] == inc["id"] for i in
                                   h.get("/api/v2/incidents/unresolved.json").json()["incidents"]),
                       what="CLI incident on the running server")
            comps = h.get("/api/v2/components.json").json()["components"]
            self.assertEqual(next(c for c in comps if c["name"] == "API")["status"], "partial_outage")
            self.cli("incident", "update", inc["id"], "--status", "identified", "--body", "Found a bad deploy.")
            self.cli("incident", "update", inc["id"], "--body", "CLI-INTERNAL", "--internal")
            p = self.cli("incident", "resolve", inc["id"])
            self.assertEqual(json.loads(p.stdout)["status"], "resolved")
            h.wait_for(lambda: next(c for c in h.get("/api/v2/components.json").json()["components"]
                                    if c["name"] == "API")["status"] == "operational", what="component restored")
            self.assertNotIn(b"CLI-INTERNAL", h.get(f"/incidents/{inc['id']}").body)
            self.cli("component", "set", "Website", "degraded_performance")
            h.wait_for(lambda: h.get("/api/v2/status.json").json()["status"]["indicator"] == "minor",
                       what="status indicator")
            p = self.cli("maintenance", "schedule", "--name", "Upgrade", "--start", "2099-01-01T00:00:00Z",
                         "--end", "2099-01-01T01:00:00Z", "--component", "API")
            self.assertEqual(json.loads(p.stdout)["status"], "scheduled")
        finally:
            h.cleanup()

    def test_bad_cli_input_fails_clearly(self):
        self.cli("apply", self.file)
        cases = [
            ["incident", "open", "--name", "x", "--component", "Nope=major_outage"],
            ["incident", "open", "--name", "x", "--component", "API=exploded"],
            ["incident", "open", "--name", "x", "--status", "sleeping"],
            ["incident", "update", "nope", "--body", "x"],
            ["component", "set", "API", "purple"],
            ["maintenance", "schedule", "--name", "x", "--start", "2099-01-02T00:00:00Z", "--end", "2099-01-01T00:00:00Z"],
            ["maintenance", "schedule", "--name", "x", "--start", "soon", "--end", "later"],
        ]
        for args in cases:
            with self.subTest(args=args):
                p = self.cli(*args, check=False)
                self.assertNotEqual(p.returncode, 0)
                self.assertTrue(p.stderr.startswith("herald: "), p.stderr)
        p = subprocess.run([HERALD, "serve", "--db", "mysql://nope", "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("sqlite:", p.stderr)

    def test_export_writes_a_static_site(self):
        self.cli("apply", self.file)
        self.cli("incident", "open", "--name", "Exported incident", "--component", "API")
        out = os.path.join(self.tmp, "site")
        p = self.cli("export", "--out", out, "--public-url", "https://status.example.com")
        self.assertIn("wrote", p.stdout)
        for f in ["index.html", "api/v2/summary.json", "history.atom", "calendar.ics", "badge.svg"]:
            self.assertTrue(os.path.exists(os.path.join(out, f)), f)
        with open(os.path.join(out, "index.html")) as f:
            html = f.read()
        self.assertIn("Exported incident", html)
        self.assertNotIn("Internal queue", html)
        with open(os.path.join(out, "api/v2/summary.json")) as f:
            self.assertEqual(json.load(f)["incidents"][0]["name"], "Exported incident")

    def test_export_links_to_the_live_page_for_subscribing(self):
        """First-hour issue 10: an exported site kept a sign-up form posting to the static host
        (501) and a script requesting /events (404) forever."""
        self.cli("apply", self.file)
        self.cli("incident", "open", "--name", "Exported open incident", "--component", "API")
        out = os.path.join(self.tmp, "site-live")
        self.cli("export", "--out", out, "--public-url", "https://status-copy.example.com",
                 "--live-url", "https://status.example.com")
        pages = [os.path.join(out, "index.html")]
        incidents = os.path.join(out, "incidents")
        pages += [os.path.join(incidents, f) for f in os.listdir(incidents)]
        for path in pages:
            with self.subTest(page=os.path.relpath(path, out)), open(path) as f:
                html = f.read()
                self.assertNotIn("<form", html)
                self.assertIn("data-static", html)  # page.js does not open an event stream
        with open(os.path.join(out, "index.html")) as f:
            self.assertIn('href="https://status.example.com/subscribe"', f.read())


if __name__ == "__main__":
    main()
