"""The console's incident screens with the real binary, driven over HTTP as a browser without
JavaScript would (test_console_auth.Browser: cookies by hand, redirects not followed).

What responders rely on: an incident opened from the composer with two components is on the public
page (/api/v2/incidents.json, summary.json) within a second; updating and resolving it from its
page; an internal note never reaches public JSON; correcting a published update's text is in the
audit log with before and after; the preview (full page and live fragment) writes nothing and is
not audited; a viewer's POST is 403 and changes nothing; a POST without the CSRF token changes
nothing; bad input is answered next to the field it names; the list pages Older/Newer by cursor;
incident templates through the screen and the API, and the composer filled from one."""
import os
import re
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main  # noqa: E402
from test_console_auth import Browser, create_user  # noqa: E402


class ConsoleIncidents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.herald = Herald().start()
        h = cls.herald
        cls.admin = h.token("admin")
        r = h.request("POST", "/v1/pages", {"page": {"name": "Acme", "slug": "acme", "is_default": True}},
                      token=cls.admin)
        assert r.status == 201, r.body
        cls.pid = r.json()["id"]
        cls.components = {}
        for name in ("API", "Website", "Email delivery"):
            r = h.request("POST", f"/v1/pages/{cls.pid}/components", {"component": {"name": name}}, token=cls.admin)
            assert r.status == 201, r.body
            cls.components[name] = r.json()["id"]
        for email, role in (("responder@example.com", "responder"), ("viewer@example.com", "viewer"),
                            ("support@example.com", "support")):
            create_user(h, email, role)

    @classmethod
    def tearDownClass(cls):
        cls.herald.cleanup()

    def signed_in(self, email="responder@example.com"):
        b = Browser(self.herald)
        r = b.sign_in(email)
        self.assertEqual(r.status, 303, r.text)
        return b

    def incidents(self):
        r = self.herald.get(f"/v1/pages/{self.pid}/incidents?per_page=1000", token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def audit(self, **query):
        r = self.herald.get("/v1/audit_log?" + urllib.parse.urlencode(query), token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        return r.json()["entries"]

    def public_incident(self, incident_id):
        r = self.herald.get("/api/v2/incidents.json")
        if r.status != 200:
            return None
        return next((i for i in r.json()["incidents"] if i["id"] == incident_id), None)

    def compose(self, b, **fields):
        page = b.get("/admin/incidents/new")
        self.assertEqual(page.status, 200, page.text)
        form = {"csrf": b.csrf(page), "title": "Checkout errors", "type": "outage", "status": "investigating",
                "message": "Some card payments fail.", "notify": "yes"}
        form.update(fields)
        return b.post("/admin/incidents/new", form), page

    def open_incident(self, b, title):
        r, _ = self.compose(b, title=title)
        self.assertEqual(r.status, 303, r.text)
        return re.match(r"/admin/incidents/([^?]+)\?done=published$", r.headers["Location"]).group(1)

    def post_on(self, b, incident_id, **fields):
        page = b.get(f"/admin/incidents/{incident_id}")
        self.assertEqual(page.status, 200, page.text)
        return b.post(f"/admin/incidents/{incident_id}", {"csrf": b.csrf(page), **fields})

    def test_open_update_and_resolve_from_the_console(self):
        b = self.signed_in()
        api, web = self.components["API"], self.components["Website"]
        composer = b.get("/admin/incidents/new")
        for label in ("Title", "Notice type", "Status", "Message", "What you can do", "In minutes",
                      "Notify subscribers", "API", "Website", "Brief version", "Technical version"):
            self.assertRegex(composer.text, rf'<label for="[^"]+">{re.escape(label)}</label>')
        r, _ = self.compose(b, title="Payments failing", **{f"component_{api}": "major_outage",
                                                            f"component_{web}": "partial_outage"},
                            what_you_can_do="Retry in a few minutes.", next_update_minutes="30",
                            variant_brief="Payments fail; we are on it.")
        self.assertEqual(r.status, 303, r.text)
        published = time.time()
        incident_id = re.match(r"/admin/incidents/([^?]+)\?done=published$", r.headers["Location"]).group(1)
        # On the public page within a second, with both components.
        inc = self.herald.wait_for(lambda: self.public_incident(incident_id), timeout=1.0, what="public incident")
        self.assertLess(time.time() - published, 1.0)
        self.assertEqual(inc["name"], "Payments failing")
        self.assertEqual(inc["status"], "investigating")
        self.assertEqual({c["id"] for c in inc["components"]}, {api, web})
        body = inc["incident_updates"][0]["body"]
        self.assertIn("Some card payments fail.", body)
        self.assertIn("**What you can do:** Retry in a few minutes.", body)
        summary = self.herald.get("/api/v2/summary.json").json()
        status = {c["id"]: c["status"] for c in summary["components"]}
        self.assertEqual(status[api], "major_outage")
        self.assertEqual(status[web], "partial_outage")
        self.assertEqual(status[self.components["Email delivery"]], "operational")
        staff = self.herald.get(f"/v1/pages/{self.pid}/incidents/{incident_id}", token=self.admin).json()
        self.assertEqual(staff["incident_updates"][0]["variants"], {"brief": "Payments fail; we are on it."})
        self.assertEqual(self.audit(action="incident.create", target_type="incident", target_id=incident_id)[0]["actor_name"],
                         "responder@example.com")

        page = b.get(r.headers["Location"])
        self.assertIn("Published.", page.text)
        self.assertIn("due in 30 min", page.text)
        self.assertIn("API: Major outage", page.text)

        r = self.post_on(b, incident_id, action="update", status="identified", message="A bad deploy; rolling back.",
                         notify="yes", **{f"component_{web}": "operational"})
        self.assertEqual(r.status, 303, r.text)
        self.assertTrue(r.headers["Location"].endswith("done=updated"))
        inc = self.herald.wait_for(lambda: (i := self.public_incident(incident_id)) and i["status"] == "identified" and i,
                                   timeout=1.0, what="the update on the public page")
        self.assertEqual(inc["incident_updates"][0]["body"], "A bad deploy; rolling back.")

        r = self.post_on(b, incident_id, action="resolve", message="Payments work again.", notify="yes")
        self.assertEqual(r.status, 303, r.text)
        inc = self.herald.wait_for(lambda: (i := self.public_incident(incident_id)) and i["status"] == "resolved" and i,
                                   timeout=1.0, what="the resolution on the public page")
        summary = self.herald.get("/api/v2/summary.json").json()
        self.assertTrue(all(c["status"] == "operational" for c in summary["components"]), summary["components"])
        page = b.get(f"/admin/incidents/{incident_id}")
        self.assertNotIn("Resolve incident", page.text)  # nothing left to resolve
        self.assertIn("Resolved", page.text)

    def test_an_internal_note_is_never_public(self):
        b = self.signed_in()
        incident_id = self.open_incident(b, "Slow search")
        r = self.post_on(b, incident_id, action="note", message="Suspect the index rebuild (staff only).")
        self.assertEqual(r.status, 303, r.text)
        page = b.get(f"/admin/incidents/{incident_id}")
        self.assertIn("Internal note, never public", page.text)
        self.assertIn("Suspect the index rebuild (staff only).", page.text)
        staff = self.herald.get(f"/v1/pages/{self.pid}/incidents/{incident_id}", token=self.admin).json()
        self.assertEqual(len(staff["incident_updates"]), 2)
        time.sleep(0.3)  # give a (wrong) snapshot rebuild the time to show it
        public = self.herald.get("/api/v2/incidents.json").body.decode()
        self.assertIn("Slow search", public)
        self.assertNotIn("index rebuild", public)

    def test_editing_a_published_update_is_audited_with_before_and_after(self):
        b = self.signed_in()
        incident_id = self.open_incident(b, "Login failures")
        uid = self.herald.get(f"/v1/pages/{self.pid}/incidents/{incident_id}",
                              token=self.admin).json()["incident_updates"][0]["id"]
        r = self.post_on(b, incident_id, action="edit", update_id=uid, body="Some logins fail in the EU.")
        self.assertEqual(r.status, 303, r.text)
        entries = self.audit(action="incident_update.edit", target_type="incident_update", target_id=uid)
        self.assertEqual(len(entries), 1, entries)
        self.assertEqual(entries[0]["actor_name"], "responder@example.com")
        self.assertEqual(entries[0]["changes"], [{"field": f"incident_updates[{uid}].body",
                                                  "before": "Some card payments fail.",
                                                  "after": "Some logins fail in the EU."}])
        self.herald.wait_for(lambda: (i := self.public_incident(incident_id)) and
                             i["incident_updates"][0]["body"] == "Some logins fail in the EU.", timeout=1.0,
                             what="the corrected text on the public page")

    def test_the_preview_writes_nothing_and_is_not_audited(self):
        b = self.signed_in()
        before = len(self.incidents())
        page = b.get("/admin/incidents/new")
        fields = {"csrf": b.csrf(page), "title": "Preview only", "type": "outage", "status": "investigating",
                  "message": "Nothing is written: ünïcode makes this SMS UCS-2.", "notify": "yes",
                  f"component_{self.components['API']}": "degraded_performance"}
        r = b.post("/admin/incidents/preview", fields)
        self.assertEqual(r.status, 200, r.text)
        self.assertIn('<h1>New incident</h1>', r.text)
        self.assertIn("Preview only", r.text)  # the public card
        self.assertIn('value="Preview only"', r.text)  # the form, filled again
        for what in ("Email", "SMS", "UCS-2", "segment(s)", "Slack", "Microsoft Teams", "Webhook JSON", "Subject:"):
            self.assertIn(what, r.text)
        fragment = b.post("/admin/incidents/preview", {**fields, "fragment": "1"})
        self.assertEqual(fragment.status, 200)
        self.assertNotIn("<html", fragment.text)
        self.assertIn("Webhook JSON", fragment.text)
        bad = b.post("/admin/incidents/preview", {**fields, "fragment": "1", "title": ""})
        self.assertIn("Give the incident a title.", bad.text)
        # An update's preview on an incident's page.
        incident_id = self.open_incident(b, "Previewed update")
        page = b.get(f"/admin/incidents/{incident_id}")
        r = b.post(f"/admin/incidents/{incident_id}/preview",
                   {"csrf": b.csrf(page), "action": "update", "status": "monitoring", "message": "A fix is out."})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Preview of the update", r.text)
        self.assertIn("A fix is out.", r.text)
        self.assertEqual(len(self.incidents()), before + 1)
        staff = self.herald.get(f"/v1/pages/{self.pid}/incidents/{incident_id}", token=self.admin).json()
        self.assertEqual(len(staff["incident_updates"]), 1)
        self.assertFalse([e for e in self.audit(limit=500) if "/preview" in e["summary"]])

    def test_a_viewer_sees_but_cannot_change(self):
        responder = self.signed_in()
        incident_id = self.open_incident(responder, "Viewer cannot touch")
        before = self.incidents()
        for email in ("viewer@example.com", "support@example.com"):
            b = self.signed_in(email)
            listing = b.get("/admin/incidents")
            self.assertEqual(listing.status, 200)
            self.assertIn("Viewer cannot touch", listing.text)
            self.assertNotIn("New incident", listing.text)
            page = b.get(f"/admin/incidents/{incident_id}")
            self.assertEqual(page.status, 200)
            self.assertNotIn('name="action"', page.text)
            self.assertNotIn("<textarea", page.text)
            self.assertEqual(b.get("/admin/incidents/new").status, 403)
            csrf = b.csrf(page)  # the sign-out form's: a valid token of this session
            r = b.post("/admin/incidents/new", {"csrf": csrf, "title": "Forged", "type": "outage",
                                                "status": "investigating", "message": "x"})
            self.assertEqual(r.status, 403)
            self.assertIn("publish_incident", r.text)
            r = b.post(f"/admin/incidents/{incident_id}", {"csrf": csrf, "action": "resolve", "message": "Forged"})
            self.assertEqual(r.status, 403)
        self.assertEqual(self.incidents(), before)

    def test_a_post_without_the_csrf_token_changes_nothing(self):
        b = self.signed_in()
        before = self.incidents()
        r = b.post("/admin/incidents/new", {"title": "No token", "type": "outage", "status": "investigating",
                                            "message": "x"})
        self.assertEqual(r.status, 403)
        self.assertIn("nothing was", r.text)
        self.assertEqual(self.incidents(), before)

    def test_bad_input_is_named_next_to_its_field(self):
        b = self.signed_in()
        before = len(self.incidents())
        r, _ = self.compose(b, title="", next_update_minutes="soon")
        self.assertEqual(r.status, 422, r.text)
        self.assertIn('role="alert"', r.text)
        self.assertIn('<p class="field-error" id="composer-title-error">Give the incident a title.</p>', r.text)
        self.assertRegex(r.text, r'id="composer-title"[^>]*aria-invalid="true" aria-describedby="composer-title-error"')
        self.assertIn('id="composer-next_update_minutes-error"', r.text)
        self.assertIn('<a href="#composer-title">', r.text)
        self.assertIn("Some card payments fail.", r.text)  # what was typed is kept
        # The service's own checks are named too (a component of another page).
        r, _ = self.compose(b, variant_segment="enterprise")
        self.assertEqual(r.status, 422)
        self.assertIn('id="composer-variant_segment-error"', r.text)
        self.assertEqual(len(self.incidents()), before)
        incident_id = self.open_incident(b, "Bad update")
        r = self.post_on(b, incident_id, action="update", status="", message="")
        self.assertEqual(r.status, 422)
        self.assertIn('id="update-message-error"', r.text)
        r = self.post_on(b, incident_id, action="resolve", message=" ")
        self.assertEqual(r.status, 422)
        self.assertIn('id="resolve-message-error"', r.text)
        staff = self.herald.get(f"/v1/pages/{self.pid}/incidents/{incident_id}", token=self.admin).json()
        self.assertEqual(staff["status"], "investigating")
        self.assertEqual(len(staff["incident_updates"]), 1)

    def test_the_list_pages_older_and_newer_by_cursor(self):
        # A page of its own, so that the other tests' incidents do not count.
        r = self.herald.request("POST", "/v1/pages", {"page": {"name": "Busy", "slug": "busy"}}, token=self.admin)
        pid = r.json()["id"]
        names = []
        for n in range(30):
            name = f"Busy incident {n:02d}"
            status = "resolved" if n < 28 else "investigating"
            r = self.herald.request("POST", f"/v1/pages/{pid}/incidents",
                                    {"incident": {"name": name, "status": status, "body": "x",
                                                  "backfilled": n < 28,
                                                  "backfill_date": f"2026-01-{n + 1:02d}T00:00:00Z"}},
                                    token=self.admin)
            self.assertEqual(r.status, 201, r.body)
            names.append(name)
        b = self.signed_in()
        first = b.get("/admin/incidents?page=busy")
        self.assertEqual(first.status, 200)
        open_section = first.text.split('id="all-h"')[0]
        self.assertIn("Busy incident 29", open_section)  # open ones first
        self.assertNotIn("Busy incident 05", open_section)
        rows = re.findall(r'<th scope="row"><a href="[^"]+">(Busy incident \d\d)</a>', first.text)
        self.assertEqual(len(rows), 25)
        self.assertNotIn(">Newer<", first.text)
        older = re.search(r'href="([^"]+)">Older<', first.text).group(1).replace("&amp;", "&")
        self.assertIn("page=busy", older)
        second = b.get(older)
        rows2 = re.findall(r'<th scope="row"><a href="[^"]+">(Busy incident \d\d)</a>', second.text)
        self.assertEqual(len(rows2), 5)
        self.assertFalse(set(rows) & set(rows2))
        self.assertEqual(set(rows) | set(rows2), set(names))
        self.assertNotIn(">Older<", second.text)
        newer = re.search(r'href="([^"]+)">Newer<', second.text).group(1).replace("&amp;", "&")
        back = b.get(newer)
        self.assertEqual(re.findall(r'<th scope="row"><a href="[^"]+">(Busy incident \d\d)</a>', back.text), rows)
        investigating = b.get("/admin/incidents?page=busy&status=investigating")
        self.assertEqual(sorted(re.findall(r'<th scope="row"><a href="[^"]+">(Busy incident \d\d)</a>',
                                           investigating.text)), ["Busy incident 28", "Busy incident 29"])

    def test_templates_from_the_screen_and_the_api_fill_the_composer(self):
        b = self.signed_in()
        api = self.components["API"]
        page = b.get("/admin/incident-templates")
        self.assertEqual(page.status, 200)
        r = b.post("/admin/incident-templates", {"csrf": b.csrf(page), "action": "create", "name": "", "title": "x",
                                                 "type": "outage", "status": "investigating"})
        self.assertEqual(r.status, 422)
        self.assertIn('id="template-name-error"', r.text)
        r = b.post("/admin/incident-templates", {"csrf": b.csrf(page), "action": "create", "name": "API down",
                                                 "group": "Backend", "title": "API errors", "type": "outage",
                                                 "status": "identified", "body": "The API returns errors.",
                                                 "notify": "yes", f"component_{api}": "partial_outage"})
        self.assertEqual(r.status, 303, r.text)
        listed = self.herald.get(f"/v1/pages/{self.pid}/incident_templates", token=self.admin).json()
        t = next(x for x in listed if x["name"] == "API down")
        self.assertEqual(t["title"], "API errors")
        self.assertEqual(t["group"], "Backend")
        self.assertEqual(t["update_status"], "identified")
        self.assertEqual(t["components"], [{"id": api, "name": "API", "status": "partial_outage"}])
        self.assertEqual(self.audit(action="incident_template.create", target_type="incident_template", target_id=t["id"])[0]["actor_name"],
                         "responder@example.com")
        composer = b.get(f"/admin/incidents/new?template={t['id']}")
        self.assertIn('value="API errors"', composer.text)
        self.assertIn("The API returns errors.", composer.text)
        self.assertRegex(composer.text, rf'name="component_{api}"[^>]*>.*?<option value="partial_outage" selected>')
        self.assertRegex(composer.text, r'<option value="identified" selected>')
        # Edit and delete on its own screen.
        page = b.get(f"/admin/incident-templates/{t['id']}")
        r = b.post(f"/admin/incident-templates/{t['id']}", {"csrf": b.csrf(page), "action": "save",
                                                            "name": "API down", "title": "API errors (EU)",
                                                            "type": "outage", "status": "identified", "body": "EU."})
        self.assertEqual(r.status, 303, r.text)
        got = self.herald.get(f"/v1/pages/{self.pid}/incident_templates/{t['id']}", token=self.admin).json()
        self.assertEqual(got["title"], "API errors (EU)")
        self.assertEqual(got["components"], [])
        self.assertFalse(got["should_send_notifications"])
        r = b.post(f"/admin/incident-templates/{t['id']}", {"csrf": b.csrf(page), "action": "delete"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.herald.get(f"/v1/pages/{self.pid}/incident_templates/{t['id']}",
                                         token=self.admin).status, 404)
        # A viewer sees the list, cannot write.
        v = self.signed_in("viewer@example.com")
        listing = v.get("/admin/incident-templates")
        self.assertEqual(listing.status, 200)
        self.assertNotIn("Create template", listing.text)
        r = v.post("/admin/incident-templates", {"csrf": v.csrf(listing), "action": "create", "name": "n",
                                                 "title": "t", "type": "outage", "status": "investigating"})
        self.assertEqual(r.status, 403)

    def test_the_incident_templates_api(self):
        h = self.herald
        responder, viewer = h.token("responder"), h.token("viewer")
        path = f"/v1/pages/{self.pid}/incident_templates"
        api = self.components["API"]
        r = h.request("POST", path, {"template": {"name": "Slow API", "title": "Slow responses",
                                                  "body": "Responses are slow.", "group_id": "Backend",
                                                  "update_status": "investigating", "component_ids": [api],
                                                  "should_send_notifications": False}}, token=responder)
        self.assertEqual(r.status, 201, r.body)
        t = r.json()
        self.assertEqual(t["group"], "Backend")
        self.assertEqual(t["component_ids"], [api])
        self.assertEqual(t["components"][0]["status"], "major_outage")
        self.assertFalse(t["should_send_notifications"])
        r = h.request("PATCH", f"{path}/{t['id']}", {"template": {"components": {api: "degraded_performance"}}},
                      token=responder)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json()["components"][0]["status"], "degraded_performance")
        self.assertEqual(r.json()["title"], "Slow responses")
        err = h.request("POST", path, {"template": {"name": "Slow API", "title": "again"}}, token=responder)
        self.assertEqual(err.status, 409, err.body)
        self.assertEqual(err.json()["error"]["field"], "name")
        err = h.request("POST", path, {"template": {"name": "x", "title": "y", "update_status": "scheduled"}},
                        token=responder)
        self.assertEqual(err.status, 400)
        self.assertEqual(err.json()["error"]["field"], "update_status")
        self.assertEqual(h.request("POST", path, {"template": {"name": "v", "title": "v"}}, token=viewer).status, 403)
        self.assertEqual(h.get(path, token=viewer).status, 200)
        r = h.request("PATCH", f"{path}/{t['id']}", {"template": {"body": "Slower."}}, token=responder)
        entries = self.audit(action="incident_template.update", target_type="incident_template",
                             target_id=t["id"])
        self.assertEqual(entries[0]["changes"], [{"field": "body", "before": "Responses are slow.",
                                                  "after": "Slower."}])
        self.assertEqual(h.request("DELETE", f"{path}/{t['id']}", token=viewer).status, 403)
        self.assertEqual(h.request("DELETE", f"{path}/{t['id']}", token=responder).status, 204)
        self.assertEqual(h.get(f"{path}/{t['id']}", token=responder).status, 404)


if __name__ == "__main__":
    main()
