"""The `herald` command line as operators and scripts use it, against a real database file,
with a running server picking up the changes."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import shutil
import time
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
        self.cli("migrate")  # only migrate and serve create a database

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
        self.assertTrue(listing.startswith("ID\tSTATUS\tNAME\n"), listing)
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
                         "--body", "Some requests fail.", "--component", "API=partial_outage", "--json")
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
            self.assertEqual(p.stdout.split("\t")[:2], [inc["id"], "resolved"])
            h.wait_for(lambda: next(c for c in h.get("/api/v2/components.json").json()["components"]
                                    if c["name"] == "API")["status"] == "operational", what="component restored")
            self.assertNotIn(b"CLI-INTERNAL", h.get(f"/incidents/{inc['id']}").body)
            self.cli("component", "set", "Website", "degraded_performance")
            h.wait_for(lambda: h.get("/api/v2/status.json").json()["status"]["indicator"] == "minor",
                       what="status indicator")
            p = self.cli("maintenance", "schedule", "--name", "Upgrade", "--start", "2099-01-01T00:00:00Z",
                         "--end", "2099-01-01T01:00:00Z", "--component", "API", "--json")
            self.assertEqual(json.loads(p.stdout)["status"], "scheduled")
        finally:
            h.cleanup()

    def test_ending_maintenance_keeps_the_open_incidents_status(self):
        """The first-hour report: an incident holds Invoices at partial_outage, a maintenance on
        Invoices starts and ends; Invoices must still show partial_outage under the "partial
        outage" banner, not operational. A window already over when `serve` starts likewise."""
        with open(self.file, "a") as f:
            f.write('\n  [[page.component]]\n  name = "Invoices"\n')
        self.cli("apply", self.file)
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        p = self.cli("incident", "open", "--name", "Invoice errors", "--status", "investigating",
                     "--body", "Some invoices fail.", "--component", "Invoices=partial_outage", "--json")
        inc = json.loads(p.stdout)
        # Over before the server starts: completed at its first scheduler round. (A window that has
        # already ended cannot be scheduled, so this one ends two seconds from now, before `serve`.)
        past_end = time.time() + 2
        self.cli("maintenance", "schedule", "--name", "Past upgrade", "--start", iso(past_end - 1),
                 "--end", iso(past_end), "--component", "Invoices")
        time.sleep(max(0.0, past_end + 1 - time.time()))
        start = time.time()
        self.cli("maintenance", "schedule", "--name", "Invoice database upgrade", "--start", iso(start + 3),
                 "--end", iso(start + 6), "--component", "Invoices")
        h = Herald(db=self.db).start()
        try:
            def invoices():
                return next(c for c in h.get("/api/v2/components.json").json()["components"]
                            if c["name"] == "Invoices")["status"]

            def maintenance_status(name):
                ms = h.get("/api/v2/scheduled-maintenances.json").json()["scheduled_maintenances"]
                return next(m for m in ms if m["name"] == name)["status"]

            h.wait_for(lambda: maintenance_status("Past upgrade") == "completed", what="past window completed")
            self.assertEqual(invoices(), "partial_outage")
            h.wait_for(lambda: maintenance_status("Invoice database upgrade") == "in_progress", timeout=15,
                       what="maintenance started")
            self.assertEqual(invoices(), "partial_outage")  # worse than under_maintenance
            h.wait_for(lambda: maintenance_status("Invoice database upgrade") == "completed", timeout=15,
                       what="maintenance completed")
            self.assertEqual(invoices(), "partial_outage")
            self.assertEqual(h.get("/api/v2/status.json").json()["status"]["indicator"], "major")
            page = h.get("/").text
            self.assertIn("Partial system outage", page)
            self.cli("incident", "resolve", inc["id"])
            h.wait_for(lambda: invoices() == "operational", what="resolved: back to operational")
        finally:
            h.cleanup()

    def test_bad_cli_input_fails_clearly(self):
        self.cli("apply", self.file)
        cases = [
            ["incident", "open", "--name", "x", "--component", "Nope=major_outage"],
            ["incident", "open", "--name", "x", "--component", "API=exploded"],
            ["incident", "open", "--name", "x", "--status", "sleeping"],
            ["incident", "open", "--name", "two\nlines", "--body", "x"],
            ["incident", "open", "--name", "two\rlines", "--body", "x"],
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
                if "lines" in args[3]:
                    self.assertIn("name", p.stderr)
        p = subprocess.run([HERALD, "serve", "--db", "mysql://nope", "--listen", "127.0.0.1:0"],
                           capture_output=True, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("sqlite:", p.stderr)

    def test_export_writes_a_static_site(self):
        self.cli("apply", self.file)
        self.cli("incident", "open", "--name", "Exported incident", "--component", "API", "--body", "Down.")
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
        self.cli("incident", "open", "--name", "Exported open incident", "--component", "API",
                 "--body", "Some exports fail.")
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


    # ---- what a new user trips over in the first hour -------------------------------------

    def test_commands_refuse_to_create_a_database(self):
        env = {k: v for k, v in os.environ.items() if k != "HERALD_DB"}
        for args in [["component", "list"], ["incident", "list"], ["monitor", "list"], ["subscriber", "list"],
                     ["apply", self.file], ["token", "list"], ["draft", "list"]]:
            with self.subTest(args=args):
                p = subprocess.run([HERALD, *args], capture_output=True, text=True, cwd=self.tmp, env=env)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn("--db", p.stderr)
                self.assertIn("HERALD_DB", p.stderr)
                self.assertFalse(os.path.exists(os.path.join(self.tmp, "herald.db")))
        missing = f"sqlite:{self.tmp}/typo.db"
        p = run_cli("component", "list", db=missing, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("typo.db", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "typo.db")))
        # HERALD_DB names it once for every command; migrate creates it.
        env["HERALD_DB"] = missing
        self.assertEqual(subprocess.run([HERALD, "migrate"], capture_output=True, env=env).returncode, 0)
        p = subprocess.run([HERALD, "apply", self.file], capture_output=True, text=True, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_readme_command_examples_work_as_written(self):
        """Every line of the README's command-line block, in order, on a fresh database."""
        readme = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
        with open(readme) as f:
            text = f.read()
        section = text[text.index("## Command line"):]
        block = section[section.index("```sh\n") + 6:section.index("```\n", section.index("```sh\n") + 6)]
        toml = section[section.index("```toml\n") + 8:]
        toml = toml[:toml.index("```\n")]
        with open(os.path.join(self.tmp, "herald.toml"), "w") as f:
            f.write(toml)
        env = {k: v for k, v in os.environ.items() if k != "HERALD_DB"}
        lines = block.replace("\\\n", " ").splitlines()
        ids = {}
        ran = []
        for line in lines:
            if line.startswith("export "):
                name, value = line.split()[1].split("=", 1)
                env[name] = value.replace("$HOME", self.tmp)
                continue
            args = shlex.split(re.sub(r"\[[^\]]*\]", "", line), comments=True)
            if not args:
                continue
            self.assertEqual(args[0], "herald", line)
            args = args[1:]
            if "ID" in args:
                key = "draft" if args[0] == "draft" else args[0]
                if key not in ids:  # no draft to publish on a page whose monitors are off
                    continue
                args[args.index("ID")] = ids[key]
            p = subprocess.run([HERALD, *args], capture_output=True, text=True, cwd=self.tmp, env=env, timeout=60)
            self.assertEqual(p.returncode, 0, f"{line}\n{p.stderr}")
            ran.append(args[:2])
            if args[:2] == ["incident", "open"]:
                ids["incident"] = p.stdout.split("\t")[0]
                self.assertRegex(p.stdout, r"^\S+\tinvestigating\thttp://\S+/incidents/\S+\n$")
            if args[:2] == ["monitor", "add"] and "monitor" not in ids:
                ids["monitor"] = p.stdout.split()[0]
        self.assertIn(["incident", "resolve"], ran)
        self.assertIn(["monitor", "remove"], ran)
        # The example's monitors are safe: the one against an example target is off.
        listing = subprocess.run([HERALD, "monitor", "list"], capture_output=True, text=True, env=env).stdout
        self.assertIn("disabled", next(l for l in listing.splitlines() if "API health" in l))

    def test_apply_refuses_unknown_keys_everywhere(self):
        for extra, path in [('timezone = "UTC"\n', "page[0].timezone"), ('foo = 1\n', "page[0].foo")]:
            with self.subTest(path=path):
                bad = os.path.join(self.tmp, "bad.toml")
                with open(bad, "w") as f:
                    f.write(APPLY.replace('default = true\n', 'default = true\n' + extra))
                p = self.cli("apply", bad, check=False)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn(path, p.stderr)
        bad = os.path.join(self.tmp, "bad.toml")
        with open(bad, "w") as f:
            f.write('foo = 1\n' + APPLY.replace('description = "Public API"', 'descripton = "Public API"'))
        p = self.cli("apply", bad, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("foo", p.stderr)
        with open(bad, "w") as f:
            f.write(APPLY.replace('description = "Public API"', 'descripton = "Public API"'))
        p = self.cli("apply", bad, check=False)
        self.assertIn("page[0].component[0].descripton", p.stderr)
        with open(bad, "w") as f:
            f.write(APPLY.replace('default = true', 'default = "yes"'))
        p = self.cli("apply", bad, check=False)
        self.assertIn("page[0].default", p.stderr)
        # Nothing was written by any of them.
        p = self.cli("component", "list", check=False)
        self.assertIn("no page yet", p.stderr)

    def test_apply_dry_run_shows_changes_and_writes_nothing(self):
        with open(self.file, "a") as f:
            f.write('\n  [[page.monitor]]\n  name = "API health"\n  component = "API"\n  kind = "tcp"\n'
                    '  target = "127.0.0.1:9"\n  enabled = false\n')
        p = self.cli("apply", "--dry-run", self.file)
        for line in ["would create page acme", 'would create component "API" in acme',
                     'would create group "Core" in acme', 'would create monitor "API health" in acme',
                     "dry run, nothing written"]:
            self.assertIn(line, p.stdout)
        self.assertIn("no page yet", self.cli("component", "list", check=False).stderr)
        p = self.cli("apply", self.file)
        self.assertIn('created monitor "API health" in acme', p.stdout)
        self.assertIn("no changes", self.cli("apply", "--dry-run", self.file).stdout)
        with open(self.file, "w") as f:
            f.write(APPLY.replace('description = "Public API"', 'description = "The API"')
                    + '\n  [[page.component]]\n  name = "Search"\n')
        p = self.cli("apply", "--dry-run", self.file)
        self.assertIn('would update component "API" in acme', p.stdout)
        self.assertIn('would create component "Search" in acme', p.stdout)
        self.assertNotIn("Search", self.cli("component", "list").stdout)
        bad = os.path.join(self.tmp, "bad.toml")
        with open(bad, "w") as f:
            f.write(APPLY + '\n  [[page.monitor]]\n  name = "x"\n  kind = "tcp"\n  target = "nope"\n')
        p = self.cli("apply", "--dry-run", bad, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("page[0].monitor[0].target", p.stderr)

    def test_mistyped_commands_suggest_the_right_one(self):
        for args, want in [(["incidnet"], '"incident"'), (["incident", "opne"], '"open"'),
                           (["monitr", "list"], '"monitor"'), (["subscriber", "imprt", "x.csv"], '"import"')]:
            with self.subTest(args=args):
                p = subprocess.run([HERALD, *args], capture_output=True, text=True)
                self.assertEqual(p.returncode, 2)
                self.assertIn("Did you mean " + want, p.stderr)

    def test_errors_name_the_flags_and_list_the_choices(self):
        self.cli("apply", self.file)
        p = self.cli("component", "set", "API", "degraded", check=False)
        self.assertNotEqual(p.returncode, 0)
        for status in ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"]:
            self.assertIn(status, p.stderr)
        p = self.cli("maintenance", "schedule", "--name", "x", "--start", "2h", "--end", "1h", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--end must be after --start", p.stderr)
        self.assertNotIn("scheduled_", p.stderr)
        p = self.cli("monitor", "add", "--name", "x", "--kind", "tcp", "--target", "db.example.com:5432",
                     "--interval", "1s", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--interval", p.stderr)
        self.assertNotIn("interval_seconds", p.stderr)

    def test_incident_open_needs_words_and_prints_id_and_url(self):
        self.cli("apply", self.file)
        p = self.cli("incident", "open", "--name", "x", check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--body", p.stderr)
        self.assertEqual(self.cli("incident", "list").stdout, "ID\tSTATUS\tNAME\tURL\n")
        p = self.cli("incident", "open", "--name", "API errors", "--body", "Some requests fail.",
                     "--component", "API=partial_outage")
        inc_id, status, url = p.stdout.strip().split("\t")
        self.assertEqual(status, "investigating")
        self.assertTrue(url.endswith("/incidents/" + inc_id), url)
        self.assertIn(inc_id, self.cli("incident", "list").stdout)

    def test_times_are_relative_or_iso_and_never_in_the_past(self):
        self.cli("apply", self.file)
        inc = self.cli("incident", "open", "--name", "x", "--body", "y").stdout.split("\t")[0]
        p = self.cli("incident", "update", inc, "--body", "z", "--next-update", "30m", "--json")
        promised = json.loads(p.stdout)["incident_updates"][0]["next_update_at"]
        self.assertIsNotNone(promised)
        for args in [["incident", "update", inc, "--body", "z", "--next-update", "2020-12-01T15:00:00Z"],
                     ["incident", "update", inc, "--body", "z", "--next-update", "30"],
                     ["maintenance", "schedule", "--name", "m", "--start", "2020-12-01T02:00:00Z",
                      "--end", "2020-12-01T04:00:00Z"]]:
            with self.subTest(args=args):
                p = self.cli(*args, check=False)
                self.assertEqual(p.returncode, 2)
                self.assertRegex(p.stderr, r"^herald: --(next-update|end)")
        p = self.cli("maintenance", "schedule", "--name", "m", "--start", "1d", "--end", "1d2h", "--json")
        m = json.loads(p.stdout)
        self.assertEqual(m["status"], "scheduled")

    def test_monitor_names_are_unique_per_page(self):
        self.cli("apply", self.file)
        self.cli("monitor", "add", "--name", "API health", "--kind", "tcp", "--target", "db.example.com:5432",
                 "--disabled")
        p = self.cli("monitor", "add", "--name", "API health", "--kind", "tcp", "--target", "db.example.com:5432",
                     "--disabled", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('already a monitor named "API health"', p.stderr)
        self.assertEqual(self.cli("monitor", "list").stdout.count("API health"), 1)

    def test_subscriber_import_without_a_terminal_prints_one_line(self):
        self.cli("apply", self.file)
        csv = os.path.join(self.tmp, "subscribers.csv")
        with open(csv, "w") as f:
            f.write("channel,address\nemail,a@example.com\nemail,b@example.com\n")
        p = self.cli("subscriber", "import", csv)
        self.assertEqual(p.stderr, "")
        self.assertEqual(p.stdout, "read 2 rows into acme: 2 added, 0 updated, 0 unchanged, 0 with errors\n")
        p = self.cli("subscriber", "import", csv)
        self.assertIn("0 added, 0 updated, 2 unchanged", p.stdout)

    def test_every_list_has_a_header(self):
        self.cli("apply", self.file)
        for args, header in [(["token", "list"], "ID\tROLE\tCREATED\tNAME"), (["component", "list"], "ID\tSTATUS\tNAME"),
                             (["incident", "list"], "ID\tSTATUS\tNAME\tURL"),
                             (["subscriber", "list"], "ID\tCHANNEL\tSTATE\tADDRESS\tSEGMENT\tPRIORITY"),
                             (["draft", "list"], "ID\tSTATE\tPUBLISHES AT / INCIDENT\tCOMPONENT\tNAME"),
                             (["monitor", "list"], "ID")]:
            with self.subTest(args=args):
                self.assertEqual(self.cli(*args).stdout.splitlines()[0].split()[0:1], header.split()[0:1])
                self.assertTrue(self.cli(*args).stdout.startswith(header), self.cli(*args).stdout)

    def test_api_agrees_with_the_cli_on_names_and_times(self):
        self.cli("apply", self.file)
        h = Herald(db=self.db).start()
        try:
            key = h.token("responder")
            page = h.request("GET", "/v1/pages", token=key).json()[0]["id"]
            r = h.request("POST", f"/v1/pages/{page}/incidents", token=key, body={"incident": {
                "name": "Checkout errors", "status": "investigating", "body": "Some payments fail.",
                "components": {"API": "major_outage"}}})
            self.assertEqual(r.status, 201, r.body)
            self.assertEqual([c["name"] for c in r.json()["components"]], ["API"])
            r = h.request("POST", f"/v1/pages/{page}/incidents", token=key, body={"incident": {
                "name": "x", "body": "y", "components": {"Nope": "major_outage"}}})
            self.assertEqual(r.status, 400, r.body)
            self.assertEqual(r.json()["error"]["field"], "components")
            self.assertIn("Nope", r.json()["error"]["message"])
            # The API and the CLI agree: a window already over is refused, and so is a second
            # monitor of the same name.
            r = h.request("POST", f"/v1/pages/{page}/incidents", token=key, body={"incident": {
                "name": "m", "scheduled_for": "2020-12-01T02:00:00Z", "scheduled_until": "2020-12-01T04:00:00Z"}})
            self.assertEqual(r.status, 400, r.body)
            self.assertEqual(r.json()["error"]["field"], "scheduled_until")
            admin = h.token("admin")
            monitor = {"name": "API health", "kind": "tcp", "target": "db.example.com:5432", "enabled": False}
            r = h.request("POST", f"/v1/pages/{page}/monitors", token=admin, body={"monitor": monitor})
            self.assertEqual(r.status, 201, r.body)
            r = h.request("POST", f"/v1/pages/{page}/monitors", token=admin, body={"monitor": monitor})
            self.assertEqual(r.status, 409, r.body)
            self.assertEqual(r.json()["error"]["field"], "name")
        finally:
            h.cleanup()


if __name__ == "__main__":
    main()
