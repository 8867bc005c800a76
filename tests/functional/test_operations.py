"""Operations endpoints as an operator configures them: /metrics is off on the public listener
unless a token is set (then it needs `Authorization: Bearer <token>`), and can be served on a
separate listen address; /readyz reports reads and writes."""
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from harness import HERALD, Herald, HeraldTestCase, main  # noqa: E402

TOKEN = "metrics-token-0123456789"


def fetch(port, path, headers=None):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class MetricsWithTokenAndListener(HeraldTestCase):
    @classmethod
    def setUpClass(cls):
        cls.herald = Herald(env={"HERALD_METRICS_TOKEN": TOKEN, "HERALD_METRICS_LISTEN": "127.0.0.1:0"}).start()

    def test_public_listener_needs_the_token(self):
        self.assertError(self.herald.get("/metrics"), 401)
        self.assertError(self.herald.get("/metrics", headers={"Authorization": "Bearer not-the-token-at-all"}), 401)
        r = self.herald.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("herald_database_writable 1", r.text)
        self.assertIn("herald_http_connections_shed_total", r.text)

    def test_metrics_listener_serves_metrics_only(self):
        port = self.herald.metrics_port
        self.assertIsNotNone(port, "no 'herald metrics listening on port' line")
        self.assertNotEqual(port, self.herald.port)
        status, body = fetch(port, "/metrics", {"Authorization": f"Bearer {TOKEN}"})
        self.assertEqual(status, 200, body)
        self.assertIn("herald_snapshot_age_seconds", body)
        self.assertEqual(fetch(port, "/metrics")[0], 401)  # the token applies here too
        self.assertEqual(fetch(port, "/")[0], 404)  # not a second public listener

    def test_readiness_reports_writes(self):
        r = self.herald.get("/readyz").json()
        self.assertEqual((r["ready"], r["database"], r["writes"]), (True, "up", "ok"))


class MetricsSettingsAreValidated(unittest.TestCase):
    def test_short_token_and_bad_listen_address_are_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            for env, name in (({"HERALD_METRICS_TOKEN": "short"}, "HERALD_METRICS_TOKEN"),
                              ({"HERALD_METRICS_LISTEN": "nope"}, "metrics.listen")):
                p = subprocess.run([HERALD, "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{tmp}/h.db"],
                                   env=dict(os.environ, **env), capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(name, p.stderr)


class ConfigIsStrict(unittest.TestCase):
    """A mistyped key in the config file or an unrecognised value in the environment stops the
    server with the setting named, instead of being ignored (issue 14, item 7)."""

    def serve(self, tmp, env=None, config=None):
        args = [HERALD, "serve", "--listen", "127.0.0.1:0", "--db", f"sqlite:{tmp}/h.db"]
        if config is not None:
            path = os.path.join(tmp, "herald.toml")
            with open(path, "w") as f:
                f.write(config)
            args += ["--config", path]
        return subprocess.run(args, env=dict(os.environ, **(env or {})), capture_output=True, text=True, timeout=30)

    def test_unknown_keys_and_values_are_refused_by_name(self):
        with tempfile.TemporaryDirectory() as tmp:
            for config, name in (("listne = \"127.0.0.1:0\"\n", "listne"),
                                 ("[http]\nworkers = 3\n", "http.workers"),
                                 ("[smpt]\nurl = \"smtp://127.0.0.1:25\"\n", "smpt")):
                p = self.serve(tmp, config=config)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(name, p.stderr)
                self.assertIn("unknown", p.stderr)
            p = self.serve(tmp, env={"HERALD_LOG_JSON": "yes"})
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("HERALD_LOG_JSON", p.stderr)


if __name__ == "__main__":
    main()
