"""The audit log with the real binary: writes through the management API and the CLI are
recorded with actor, action, target and source; a refused write is not; an edit of a published
update's text shows before and after; paging, filters, the CSV export; only admin keys read it."""
import csv
import io
import os
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import HERALD, HeraldTestCase, main  # noqa: E402


class AuditLog(HeraldTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        h = cls.herald
        r = h.request("POST", "/v1/pages", {"page": {"name": "Audited", "slug": "audited", "is_default": True}},
                      token=cls.admin)
        assert r.status == 201, r.body
        cls.pid = r.json()["id"]
        cls.responder, cls.responder_id = cls.key("responder")
        cls.viewer, _ = cls.key("viewer")

    @classmethod
    def key(cls, role):
        """A new key of `role`: its secret and its id (the CLI says it on stderr)."""
        p = cls.herald.cli("token", "create", "--name", f"audit {role}", "--role", role)
        key_id = p.stderr.split(" key ", 1)[1].split()[0]
        return p.stdout.strip().splitlines()[-1], key_id

    def log(self, token=None, **query):
        r = self.herald.get("/v1/audit_log?" + urllib.parse.urlencode(query), token=token or self.admin)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def herald_cli(self, *args, user):
        env = dict(os.environ, USER=user)
        p = subprocess.run([HERALD, *args, "--db", self.herald.db], capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def test_an_api_write_is_recorded_with_actor_action_target_and_source(self):
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents",
                                {"incident": {"name": "Checkout errors", "status": "investigating", "body": "Looking"}},
                                token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        inc = r.json()
        entries = self.log(target_type="incident", target_id=inc["id"])["entries"]
        self.assertEqual(len(entries), 1, entries)
        e = entries[0]
        self.assertEqual(e["actor"], f"api_key:{self.responder_id}")
        self.assertEqual(e["actor_display"], f"api_key:{self.responder_id} (audit responder)")
        self.assertEqual(e["action"], "incident.create")
        self.assertEqual(e["page_id"], self.pid)
        self.assertEqual(e["source"], "127.0.0.1")
        self.assertIn(f"POST /v1/pages/{self.pid}/incidents", e["summary"])
        self.assertIn("Checkout errors", e["summary"])
        self.assertEqual(e["changes"], [])

    def test_editing_a_published_update_shows_before_and_after(self):
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents",
                                {"incident": {"name": "Slow search", "status": "investigating",
                                              "body": "Search is slow."}}, token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        inc = r.json()
        uid = inc["incident_updates"][0]["id"]
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/incidents/{inc['id']}/incident_updates/{uid}",
                                {"incident_update": {"body": "Search is slow in the EU."}}, token=self.responder)
        self.assertEqual(r.status, 200, r.body)
        entries = self.log(action="incident_update.edit", target_type="incident_update", target_id=uid)["entries"]
        self.assertEqual(len(entries), 1, entries)
        self.assertEqual(entries[0]["changes"], [{"field": f"incident_updates[{uid}].body",
                                                  "before": "Search is slow.", "after": "Search is slow in the EU."}])

    def test_a_refused_write_is_not_recorded(self):
        viewer, viewer_id = self.key("viewer")
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {"name": "Nope"}},
                                token=viewer)
        self.assertError(r, 403)
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents",
                                {"incident": {"name": "Bad", "status": "on_fire"}}, token=self.admin)
        self.assertError(r, 400, "status")
        self.assertEqual(self.log(actor=f"api_key:{viewer_id}")["entries"], [])
        for e in self.log(action="incident.create", limit=500)["entries"]:
            self.assertNotIn('"Bad"', e["summary"])

    def test_an_idempotent_replay_is_recorded_once(self):
        headers = {"Idempotency-Key": "audit-replay-1"}
        for _ in range(2):
            r = self.herald.request("POST", f"/v1/pages/{self.pid}/components", {"component": {"name": "Replayed"}},
                                    token=self.admin, headers=headers)
            self.assertEqual(r.status, 201, r.body)
        cid = r.json()["id"]
        entries = self.log(target_type="component", target_id=cid)["entries"]
        self.assertEqual([e["action"] for e in entries], ["component.create"])

    def test_a_cli_write_is_recorded_as_the_os_user_from_the_cli(self):
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/components", {"component": {"name": "Payments API"}},
                                token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        cid = r.json()["id"]
        self.herald_cli("component", "set", "Payments API", "major_outage", user="ops-alice")
        entries = self.log(actor="cli:ops-alice")["entries"]
        self.assertEqual(len(entries), 1, entries)
        e = entries[0]
        self.assertEqual(e["action"], "component.update")
        self.assertEqual(e["target_type"], "component")
        self.assertEqual(e["target_id"], cid)  # the id, though the command named it by name
        self.assertEqual(e["page_id"], self.pid)
        self.assertEqual(e["source"], "cli")
        self.assertEqual(e["summary"], 'herald component set "Payments API" major_outage')
        self.assertNotIn(self.herald.db, e["summary"])  # --db may hold a password
        # A command that only reads, and one that fails, leave nothing.
        self.herald_cli("component", "list", user="ops-bob")
        env = dict(os.environ, USER="ops-bob")
        p = subprocess.run([HERALD, "component", "set", "No such thing", "major_outage", "--db", self.herald.db],
                           capture_output=True, text=True, timeout=60, env=env)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(self.log(actor="cli:ops-bob")["entries"], [])

    def test_paging_and_filters(self):
        for i in range(5):
            r = self.herald.request("POST", f"/v1/pages/{self.pid}/components", {"component": {"name": f"Paged {i}"}},
                                    token=self.admin)
            self.assertEqual(r.status, 201, r.body)
        seen, cursor = [], None
        while True:
            query = {"action": "component.create", "limit": 2}
            if cursor:
                query["cursor"] = cursor
            page = self.log(**query)
            self.assertLessEqual(len(page["entries"]), 2)
            seen += [e["id"] for e in page["entries"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        everything = [e["id"] for e in self.log(action="component.create", limit=500)["entries"]]
        self.assertEqual(seen, everything)
        self.assertEqual(len(set(seen)), len(seen))
        self.assertGreaterEqual(len(seen), 5)
        self.assertEqual(self.log(since="2999-01-01T00:00:00Z")["entries"], [])
        self.assertError(self.herald.get("/v1/audit_log?limit=0", token=self.admin), 400, "limit")
        self.assertError(self.herald.get("/v1/audit_log?cursor=nonsense", token=self.admin), 400, "cursor")
        self.assertError(self.herald.get("/v1/audit_log?target_id=x", token=self.admin), 400, "target_type")

    def test_export_is_csv_that_parses(self):
        self.herald.request("POST", f"/v1/pages/{self.pid}/components",
                            {"component": {"name": "=cmd|' /C calc'!A0, \"quoted\""}}, token=self.admin)
        r = self.herald.get("/v1/audit_log/export.csv", token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.headers["Content-Type"].startswith("text/csv"))
        rows = list(csv.reader(io.StringIO(r.text)))
        self.assertEqual(rows[0], ["id", "time", "actor", "actor_name", "action", "target_type", "target_id",
                                   "page_id", "source", "summary", "changes"])
        listed = self.log(limit=500)["entries"]
        self.assertEqual([row[0] for row in rows[1:]], [e["id"] for e in listed])
        self.assertTrue(all(len(row) == 11 for row in rows))
        keys = list(csv.reader(io.StringIO(self.herald.get("/v1/audit_log/export.csv?action=api_key.",
                                                            token=self.admin).text)))
        self.assertTrue(all(row[4] == "api_key.create" for row in keys[1:]), keys)
        self.assertGreaterEqual(len(keys), 3)  # the header and the keys made through the CLI

    def test_only_admin_keys_read_the_log(self):
        for token in (self.viewer, self.responder):
            self.assertError(self.herald.get("/v1/audit_log", token=token), 403)
            self.assertError(self.herald.get("/v1/audit_log/export.csv", token=token), 403)
        self.assertError(self.herald.get("/v1/audit_log"), 401)
        self.assertError(self.herald.request("POST", "/v1/audit_log", {}, token=self.admin), 405)


if __name__ == "__main__":
    main()
