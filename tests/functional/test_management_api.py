"""The management API (/v1) as Statuspage clients use it: auth and roles, pages, components,
groups, incidents, updates, maintenance, idempotency keys, and every class of bad input."""
import json
import sys
import os
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import HeraldTestCase, main  # noqa: E402


class ManagementApi(HeraldTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        h = cls.herald
        r = h.request("POST", "/v1/pages", {"page": {"name": "Example", "slug": "example", "is_default": True,
                                                      "time_zone": "Europe/Berlin"}}, token=cls.admin)
        assert r.status == 201, r.body
        cls.page = r.json()
        cls.pid = cls.page["id"]
        cls.responder = h.token("responder")
        cls.viewer = h.token("viewer")

    def create_component(self, name, **fields):
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/components",
                                {"component": {"name": name, **fields}}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    # --- auth and roles ---------------------------------------------------------------------
    def test_requires_a_valid_key(self):
        r = self.herald.get(f"/v1/pages/{self.pid}/components")
        self.assertError(r, 401)
        self.assertIn("Bearer", r.headers["WWW-Authenticate"])
        self.assertError(self.herald.get(f"/v1/pages/{self.pid}/components", token="hrld_wrong"), 401)

    def test_oauth_scheme_and_json_suffix_are_accepted(self):
        r = self.herald.get(f"/v1/pages/{self.pid}/components.json", headers={"Authorization": f"OAuth {self.viewer}"})
        self.assertEqual(r.status, 200, r.body)
        self.assertIsInstance(r.json(), list)

    def test_auth_scheme_is_case_insensitive(self):
        # Issue: "BEARER <key>" was refused; RFC 9110 section 11.1 makes scheme names case-insensitive.
        for scheme in ("BEARER", "bearer", "bEaReR", "OAUTH", "oauth"):
            r = self.herald.get(f"/v1/pages/{self.pid}/components",
                                headers={"Authorization": f"{scheme} {self.viewer}"})
            self.assertEqual(r.status, 200, f"{scheme}: {r.body}")
        self.assertError(self.herald.get(f"/v1/pages/{self.pid}/components",
                                         headers={"Authorization": f"Basic {self.viewer}"}), 401)

    def test_roles_are_enforced(self):
        c = self.create_component("Role check")
        # viewer reads but writes nothing
        self.assertEqual(self.herald.get(f"/v1/pages/{self.pid}/incidents", token=self.viewer).status, 200)
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {"name": "x"}}, token=self.viewer)
        self.assertError(r, 403)
        # responder manages incidents and component status, not the catalogue
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/components", {"component": {"name": "no"}},
                                token=self.responder)
        self.assertError(r, 403)
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/components/{c['id']}",
                                {"component": {"status": "degraded_performance"}}, token=self.responder)
        self.assertEqual(r.status, 200, r.body)
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/components/{c['id']}",
                                {"component": {"name": "renamed"}}, token=self.responder)
        self.assertError(r, 403)
        r = self.herald.request("DELETE", f"/v1/pages/{self.pid}/components/{c['id']}", token=self.responder)
        self.assertError(r, 403)
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}", {"page": {"name": "x"}}, token=self.responder)
        self.assertError(r, 403)
        # nothing was renamed or deleted
        r = self.herald.get(f"/v1/pages/{self.pid}/components/{c['id']}", token=self.viewer)
        self.assertEqual(r.json()["name"], "Role check")

    # --- components and groups ----------------------------------------------------------------
    def test_component_shape_matches_statuspage(self):
        c = self.create_component("Shape", description="What it does", showcase=True)
        for key in ["id", "name", "status", "created_at", "updated_at", "position", "description", "showcase",
                    "start_date", "group_id", "page_id", "group", "only_show_if_degraded"]:
            self.assertIn(key, c)
        self.assertEqual(c["status"], "operational")
        self.assertEqual(c["page_id"], self.pid)
        self.assertFalse(c["group"])

    def test_component_groups(self):
        a = self.create_component("Group member A")
        b = self.create_component("Group member B")
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/component-groups",
                                {"description": "Core", "component_group": {"name": "Core", "components": [a["id"], b["id"]]}},
                                token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        g = r.json()
        self.assertTrue(g["group"])
        self.assertEqual(sorted(g["components"]), sorted([a["id"], b["id"]]))
        r = self.herald.get(f"/v1/pages/{self.pid}/components/{a['id']}", token=self.viewer)
        self.assertEqual(r.json()["group_id"], g["id"])
        # a group shows its worst member
        self.herald.request("PATCH", f"/v1/pages/{self.pid}/components/{b['id']}",
                            {"component": {"status": "partial_outage"}}, token=self.admin)
        r = self.herald.get(f"/v1/pages/{self.pid}/component-groups/{g['id']}", token=self.viewer)
        self.assertEqual(r.json()["status"], "partial_outage")
        self.herald.request("PATCH", f"/v1/pages/{self.pid}/components/{b['id']}",
                            {"component": {"status": "operational"}}, token=self.admin)
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/component-groups",
                                {"component_group": {"name": "Bad", "components": ["nope"]}}, token=self.admin)
        self.assertError(r, 400, "components")

    def test_delete_component(self):
        c = self.create_component("Short-lived")
        r = self.herald.request("DELETE", f"/v1/pages/{self.pid}/components/{c['id']}", token=self.admin)
        self.assertEqual(r.status, 204)
        self.assertError(self.herald.get(f"/v1/pages/{self.pid}/components/{c['id']}", token=self.viewer), 404)

    # --- incidents ------------------------------------------------------------------------------
    def test_incident_lifecycle_drives_components_and_public_api(self):
        c = self.create_component("Checkout")
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {
            "name": "Checkout errors", "status": "investigating", "body": "Some payments fail.",
            "components": {c["id"]: "major_outage"}, "component_ids": [c["id"]]}}, token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        inc = r.json()
        for key in ["id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact",
                    "shortlink", "started_at", "page_id", "incident_updates", "components"]:
            self.assertIn(key, inc)
        self.assertEqual(inc["impact"], "critical")
        self.assertEqual(len(inc["incident_updates"]), 1)
        upd = inc["incident_updates"][0]
        self.assertEqual(upd["affected_components"][0]["new_status"], "major_outage")
        self.assertEqual(upd["affected_components"][0]["old_status"], "operational")
        comp = self.herald.get(f"/v1/pages/{self.pid}/components/{c['id']}", token=self.viewer).json()
        self.assertEqual(comp["status"], "major_outage")

        # the public API shows it within a second
        def public_has_it():
            s = self.herald.get("/api/v2/summary.json").json()
            return any(i["id"] == inc["id"] for i in s["incidents"]) and s
        summary = self.herald.wait_for(public_has_it, what="incident in summary.json")
        self.assertEqual(summary["status"]["indicator"], "critical")

        # an update via PATCH (Statuspage style), with a promised next update
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/incidents/{inc['id']}", {"incident": {
            "status": "monitoring", "body": "A fix is out.", "next_update_at": "2099-01-01T00:00:00Z"}},
            token=self.responder)
        self.assertEqual(r.status, 200, r.body)
        inc2 = r.json()
        self.assertEqual(inc2["status"], "monitoring")
        self.assertIsNotNone(inc2["monitoring_at"])
        self.assertEqual(len(inc2["incident_updates"]), 2)
        self.assertEqual(inc2["incident_updates"][0]["body"], "A fix is out.")
        self.assertEqual(inc2["incident_updates"][0]["next_update_at"], "2099-01-01T00:00:00.000Z")

        # an internal note is visible to staff and nowhere public
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents/{inc['id']}/incident_updates",
                                {"incident_update": {"body": "SECRET-NOTE db01 swapped", "internal": True}},
                                token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        self.assertTrue(any(u["internal"] for u in r.json()["incident_updates"]))

        # resolve restores the component
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/incidents/{inc['id']}",
                                {"incident": {"status": "resolved", "body": "All good."}}, token=self.responder)
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNotNone(r.json()["resolved_at"])
        comp = self.herald.get(f"/v1/pages/{self.pid}/components/{c['id']}", token=self.viewer).json()
        self.assertEqual(comp["status"], "operational")

        def resolved_publicly():
            incs = self.herald.get("/api/v2/incidents.json").json()["incidents"]
            return any(i["id"] == inc["id"] and i["status"] == "resolved" for i in incs)
        self.herald.wait_for(resolved_publicly, what="resolved incident in incidents.json")
        for path in ["/api/v2/incidents.json", "/api/v2/summary.json", f"/incidents/{inc['id']}", "/history.atom",
                     "/history.rss", "/"]:
            self.assertNotIn(b"SECRET-NOTE", self.herald.get(path).body, path)

        # edit an update's text
        first = r.json()["incident_updates"][-1]
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/incidents/{inc['id']}/incident_updates/{first['id']}",
                                {"incident_update": {"body": "Some card payments failed."}}, token=self.responder)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["incident_updates"][-1]["body"], "Some card payments failed.")

    def test_form_encoded_bodies_like_statuspage(self):
        c = self.create_component("Form component")
        form = urllib.parse.urlencode([("incident[name]", "Form incident"), ("incident[status]", "identified"),
                                       ("incident[body]", "Found it & fixing"),
                                       (f"incident[components][{c['id']}]", "partial_outage"),
                                       ("incident[component_ids][]", c["id"])])
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", form=form, token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        inc = r.json()
        self.assertEqual(inc["name"], "Form incident")
        self.assertEqual(inc["incident_updates"][0]["body"], "Found it & fixing")
        self.assertEqual(inc["impact"], "major")
        self.herald.request("PATCH", f"/v1/pages/{self.pid}/incidents/{inc['id']}",
                            form="incident[status]=resolved", token=self.responder)

    def test_scheduled_maintenance(self):
        c = self.create_component("Database")
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {
            "name": "DB upgrade", "status": "scheduled", "scheduled_for": "2099-03-01T02:00:00Z",
            "scheduled_until": "2099-03-01T04:00:00Z", "component_ids": [c["id"]], "body": "Read-only for 10 minutes.",
            "scheduled_auto_in_progress": True, "scheduled_auto_completed": True}}, token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        m = r.json()
        self.assertEqual(m["status"], "scheduled")
        self.assertEqual(m["impact"], "maintenance")
        self.assertEqual(m["scheduled_for"], "2099-03-01T02:00:00.000Z")
        # components are untouched until the window starts
        comp = self.herald.get(f"/v1/pages/{self.pid}/components/{c['id']}", token=self.viewer).json()
        self.assertEqual(comp["status"], "operational")
        r = self.herald.get(f"/v1/pages/{self.pid}/incidents/upcoming", token=self.viewer)
        self.assertIn(m["id"], [x["id"] for x in r.json()])
        self.herald.wait_for(lambda: any(x["id"] == m["id"] for x in self.herald.get(
            "/api/v2/scheduled-maintenances/upcoming.json").json()["scheduled_maintenances"]), what="upcoming")
        # a window that ends before it starts is refused and writes nothing
        before = len(self.herald.get(f"/v1/pages/{self.pid}/incidents", token=self.viewer).json())
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {
            "name": "Backwards", "scheduled_for": "2099-03-01T04:00:00Z", "scheduled_until": "2099-03-01T02:00:00Z"}},
            token=self.responder)
        self.assertError(r, 400, "scheduled_until")
        after = len(self.herald.get(f"/v1/pages/{self.pid}/incidents", token=self.viewer).json())
        self.assertEqual(before, after)

    # --- idempotency ----------------------------------------------------------------------------
    def test_idempotency_key_replays_without_writing_twice(self):
        body = {"incident": {"name": "Idempotent incident", "body": "once"}}
        h = {"Idempotency-Key": "abc-123"}
        r1 = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", body, headers=h, token=self.responder)
        r2 = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", body, headers=h, token=self.responder)
        self.assertEqual(r1.status, 201)
        self.assertEqual(r2.status, 201)
        self.assertEqual(r1.json()["id"], r2.json()["id"])
        self.assertEqual(r2.headers["Idempotent-Replayed"], "true")
        all_incidents = self.herald.get(f"/v1/pages/{self.pid}/incidents", token=self.viewer).json()
        self.assertEqual(sum(1 for i in all_incidents if i["name"] == "Idempotent incident"), 1)
        r3 = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents",
                                 {"incident": {"name": "Different"}}, headers=h, token=self.responder)
        self.assertError(r3, 400, "Idempotency-Key")

    def test_idempotency_key_covers_an_import_body_kept_in_a_file(self):
        # The import's body goes to a temporary file (not Request::body): the key must still tell
        # one file from another.
        path = f"/v1/pages/{self.pid}/subscribers/import"
        h = {"Idempotency-Key": "import-1", "Content-Type": "text/csv"}
        a = b"channel,address\nemail,idem-a@example.com\n"
        r1 = self.herald.request("POST", path, raw=a, headers=h, token=self.responder)
        r2 = self.herald.request("POST", path, raw=a, headers=h, token=self.responder)
        self.assertEqual(r1.status, 200, r1.body)
        self.assertEqual(r2.headers["Idempotent-Replayed"], "true")
        r3 = self.herald.request("POST", path, raw=b"channel,address\nemail,idem-b@example.com\n", headers=h,
                                 token=self.responder)
        self.assertError(r3, 400, "Idempotency-Key")

    # --- bad input ------------------------------------------------------------------------------
    def count_incidents(self):
        return len(self.herald.get(f"/v1/pages/{self.pid}/incidents?per_page=1000", token=self.viewer).json())

    def test_bad_input_is_refused_with_the_field_and_changes_nothing(self):
        path = f"/v1/pages/{self.pid}/incidents"
        before = self.count_incidents()
        cases = [
            (dict(raw=b'{"incident": {"name": ', headers={"Content-Type": "application/json"}), None),
            (dict(raw=b'[1,2]', headers={"Content-Type": "application/json"}), None),
            (dict(body={"incident": {"status": "investigating"}}), "name"),
            (dict(body={"incident": {"name": 42}}), "name"),
            (dict(body={"incident": {"name": "x", "status": "on_fire"}}), "status"),
            (dict(body={"incident": {"name": "x", "impact_override": "apocalyptic"}}), "impact"),
            (dict(body={"incident": {"name": "x", "components": {"nope": "major_outage"}}}), "components"),
            (dict(body={"incident": {"name": "x", "components": {"a": "melted"}}}), "components"),
            (dict(body={"incident": {"name": "x", "scheduled_for": "tomorrow-ish", "scheduled_until": "2099-01-01T00:00:00Z"}}), "scheduled_for"),
            (dict(body={"incident": {"name": "x", "deliver_notifications": "perhaps"}}), "deliver_notifications"),
            (dict(body={"incident": {"name": "<script>alert(1)</script>"}}), "name"),
            (dict(body={"incident": {"name": "   "}}), "name"),
            (dict(body={"incident": {"name": "x" * 300}}), "name"),
            # A name is one line (it becomes an email subject): "\n" is refused like "\r".
            (dict(body={"incident": {"name": "Login errors\nfor some"}}), "name"),
            (dict(body={"incident": {"name": "Login errors\rfor some"}}), "name"),
            (dict(form="incident[name]=Login%0Aerrors"), "name"),
            (dict(body={"incident": {"name": "x", "body": "y" * 70000}}), "body"),
            (dict(body={"incident": {"name": "x", "next_update_at": "2001-01-01T00:00:00Z"}}), "next_update_at"),
            (dict(raw=b'{"incident": {"name": "\xff\xfe"}}', headers={"Content-Type": "application/json"}), None),
            (dict(form="incident[name]=%ZZ"), None),
        ]
        for kwargs, field in cases:
            with self.subTest(kwargs=str(kwargs)[:80]):
                r = self.herald.request("POST", path, token=self.responder, **kwargs)
                self.assertEqual(r.status, 400, r.body)
                err = r.json()["error"]
                self.assertEqual(err["code"], "invalid")
                if field:
                    self.assertEqual(err["field"], field)
        self.assertEqual(before, self.count_incidents())

    def test_oversized_body_is_refused(self):
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents",
                                raw=b'{"incident":{"name":"' + b"x" * (2 * 1024 * 1024) + b'"}}',
                                headers={"Content-Type": "application/json"}, token=self.responder)
        self.assertEqual(r.status, 413)
        self.assertEqual(r.json()["error"]["code"], "too_large")

    def test_markdown_markup_is_inert_on_the_page(self):
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {
            "name": "Markup test", "body": "We are on it <script>alert('xss')</script> [click](javascript:alert(1)) **bold**\n\n<img src=x onerror=alert(2)>"}},
            token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        iid = r.json()["id"]
        page = self.herald.wait_for(lambda: (lambda p: p.status == 200 and p)(self.herald.get(f"/incidents/{iid}")),
                                    what="incident page")
        self.assertNotIn(b"<script>alert", page.body)
        self.assertNotIn(b"<img", page.body)
        # Markup is shown as the text it is (escaped), not dropped: no word the writer typed is lost.
        self.assertIn(b"We are on it &lt;script&gt;alert(", page.body)
        self.assertIn(b"&lt;img src=x onerror=alert(2)&gt;", page.body)
        self.assertNotIn(b'href="javascript:', page.body)
        self.assertIn(b"<strong>bold</strong>", page.body)

    def test_unknown_things_are_404(self):
        self.assertError(self.herald.get("/v1/pages/nope/components", token=self.viewer), 404)
        self.assertError(self.herald.get(f"/v1/pages/{self.pid}/incidents/nope", token=self.viewer), 404)
        self.assertError(self.herald.get(f"/v1/pages/{self.pid}/widgets", token=self.viewer), 404)


if __name__ == "__main__":
    main()
