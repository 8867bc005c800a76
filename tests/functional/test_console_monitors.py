#!/usr/bin/env python3
"""The console's monitors, alert targets, automation and dashboard screens with the real binary,
driven over HTTP through their forms as a browser without JavaScript would (test_console_auth's
cookie-keeping client): a monitor added from the form checks a real HTTP server on 127.0.0.1
(tests/fixtures/monitor_target.py) and is seen up, paused, its delete confirmed; bad input shows the
field's error and changes nothing; a viewer is refused (403) and sees secrets masked; a POST without
the CSRF token changes nothing; heartbeat URLs are shown once and rotate; drafts prepared by the
automation are published and discarded from the dashboard; the dashboard's live stream
(/admin/events) needs a session, tells of changes and is bounded per client."""
import os
import re
import socket
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main  # noqa: E402
from test_console_auth import Browser, create_user  # noqa: E402
from test_monitoring import Target  # noqa: E402


def main_html(page):
    m = re.search(r"<main.*</main>", page.text, re.S)
    return m.group(0) if m else page.text


def field_error(page, name):
    """The message shown next to the field `name`, or None."""
    m = re.search(rf'<p class="field-error" id="f-{name}-error">([^<]*)</p>', page.text)
    return m.group(1) if m else None


class ConsoleMonitorsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.target = Target()
        cls.herald = Herald(demo=True, env={"HERALD_NOTIFY_ALLOW_PRIVATE": "127.0.0.0/8",
                                            "HERALD_NOTIFY_ALLOW_HTTP": "1"}).start()
        create_user(cls.herald, "admin@example.com", "admin")
        create_user(cls.herald, "viewer@example.com", "viewer")
        create_user(cls.herald, "responder@example.com", "responder")
        cls.token = cls.herald.token("admin")
        pages = cls.herald.get("/v1/pages", token=cls.token).json()
        cls.page_id = next(p for p in pages if p.get("is_default", True))["id"]

    @classmethod
    def tearDownClass(cls):
        cls.herald.cleanup()
        cls.target.stop()

    def api(self, method, path, body=None, status=None):
        r = self.herald.request(method, f"/v1/pages/{self.page_id}{path}", body, token=self.token)
        if status is not None:
            self.assertEqual(r.status, status, r.body)
        return r.json() if r.body else None

    def monitors(self):
        return {m["name"]: m for m in self.api("GET", "/monitors?per_page=1000")}

    def definitions(self):
        """What staff set on each monitor (not what the checks change)."""
        return {m["id"]: (m["name"], m["target"], m["enabled"], m["interval_seconds"], m["updated_at"])
                for m in self.monitors().values()}

    def signed_in(self, email):
        b = Browser(self.herald)
        self.assertEqual(b.sign_in(email).status, 303)
        return b

    def add_form(self, b, kind, **fields):
        form = b.get(f"/admin/monitors/new?kind={kind}")
        self.assertEqual(form.status, 200, form.text)
        return b.post("/admin/monitors/new", {"csrf": b.csrf(form), "kind": kind, **fields})

    def test_add_from_the_form_see_it_checked_pause_and_delete(self):
        b = self.signed_in("admin@example.com")
        chooser = b.get("/admin/monitors/new")
        for label in ("HTTP(S) request", "TCP connection", "DNS lookup", "TLS certificate", "Heartbeat"):
            self.assertIn(label, chooser.text)  # the kinds come from the probe kind list
        form = b.get("/admin/monitors/new?kind=http")
        for label in ("Name", "URL", "Check every (seconds)", "Keyword", "Verify the TLS certificate"):
            self.assertIn(f">{label}</label>", form.text)
        self.assertNotIn(">Record type</label>", form.text, "a DNS field is not on the HTTP form")
        r = b.post("/admin/monitors/new", {
            "csrf": b.csrf(form), "kind": "http", "name": "Checkout API", "target": f"{self.target.url}/ok",
            "interval_seconds": "5", "timeout_seconds": "2", "failures_to_down": "1", "failure_window": "1",
            "successes_to_up": "1", "keyword": "all systems", "expected_status": "200-299", "method": "GET",
            "follow_redirects": "1", "verify_tls": "1", "down_status": "major_outage",
            "slow_status": "degraded_performance", "slow_ms": "0", "headers": "X-Probe: herald"})
        self.assertEqual(r.status, 303, main_html(r))
        location = r.headers["Location"]
        self.assertRegex(location, r"^/admin/monitors/[^/?]+\?done=created$")
        mon = self.monitors()["Checkout API"]
        self.assertEqual(mon["keyword"], "all systems")
        self.assertEqual(mon["headers"], {"X-Probe": "herald"})
        self.assertEqual(mon["interval_seconds"], 5)
        self.herald.wait_for(lambda: self.monitors()["Checkout API"]["state"] == "up", timeout=20,
                             what="the monitor checked and up")
        page = b.get(location)
        self.assertIn('<span class="tag state state--up">up</span>', page.text)
        self.assertNotIn("<dd>never</dd>", page.text.split("Last check", 1)[1][:80], "the last check time is shown")
        listing = b.get("/admin/monitors")
        self.assertIn("Checkout API", listing.text)
        self.assertIn("Last error", listing.text)

        # Pause, then resume.
        r = b.post(location.split("?")[0], {"csrf": b.csrf(page), "action": "pause"})
        self.assertEqual(r.status, 303)
        self.assertFalse(self.monitors()["Checkout API"]["enabled"])
        self.assertIn("state--paused", b.get("/admin/monitors").text)
        r = b.post(location.split("?")[0], {"csrf": b.csrf(page), "action": "resume"})
        self.assertTrue(self.monitors()["Checkout API"]["enabled"])

        # Edit: what was typed is saved through the same validation.
        page = b.get(location.split("?")[0])
        fields = dict(re.findall(r'<input type="text"[^>]* name="([^"]+)" value="([^"]*)"', page.text))
        fields.update({"csrf": b.csrf(page), "action": "save", "name": "Checkout API v2", "method": "GET",
                       "down_status": "partial_outage", "slow_status": "degraded_performance",
                       "verify_tls": "1", "follow_redirects": "1", "component_id": ""})
        r = b.post(location.split("?")[0], fields)
        self.assertEqual(r.status, 303, main_html(r))
        self.assertEqual(self.monitors()["Checkout API v2"]["down_status"], "partial_outage")

        # Delete: first a confirmation page (a GET: nothing happens), then the POST.
        confirm = b.get(location.split("?")[0] + "?confirm=delete")
        self.assertIn("Delete the monitor Checkout API v2?", confirm.text)
        self.assertIn("Checkout API v2", self.monitors())
        r = b.post(location.split("?")[0], {"csrf": b.csrf(confirm), "action": "delete"})
        self.assertEqual(r.status, 303)
        self.assertNotIn("Checkout API v2", self.monitors())

    def test_bad_input_shows_the_field_error_and_changes_nothing(self):
        b = self.signed_in("admin@example.com")
        before = self.definitions()
        r = self.add_form(b, "http", name="Broken", target=f"{self.target.url}/ok", interval_seconds="often")
        self.assertEqual(r.status, 422)
        self.assertEqual(field_error(r, "interval_seconds"), "The interval must be a whole number")
        self.assertIn('aria-describedby="f-interval_seconds-help f-interval_seconds-error" aria-invalid="true"', r.text)
        self.assertIn('role="alert"', r.text)
        self.assertIn('value="often"', r.text, "what was typed stays")
        # The service's own checks, named by field, land next to that field.
        r = self.add_form(b, "http", name="Broken", target="not a url", interval_seconds="60")
        self.assertEqual(r.status, 422)
        self.assertTrue(field_error(r, "target"), main_html(r))
        r = self.add_form(b, "http", name="Broken", target=f"{self.target.url}/ok", interval_seconds="1")
        self.assertEqual(r.status, 422)
        self.assertTrue(field_error(r, "interval_seconds"))
        r = self.add_form(b, "tls", name="Broken", target="127.0.0.1:443", expiry_warn_days="9999")
        self.assertEqual(r.status, 422)
        self.assertTrue(field_error(r, "expiry_warn_days"), main_html(r))
        self.assertEqual(self.definitions(), before)

    def test_viewer_is_refused_and_sees_secrets_masked_and_no_csrf_changes_nothing(self):
        mon = self.api("POST", "/monitors", {"monitor": {
            "name": "Secret API", "kind": "http", "target": f"{self.target.url}/ok?key=s3cret",
            "headers": {"Authorization": "Bearer s3cret"}, "enabled": False}}, status=201)
        viewer = self.signed_in("viewer@example.com")
        page = viewer.get(f"/admin/monitors/{mon['id']}")
        self.assertEqual(page.status, 200)
        self.assertNotIn("s3cret", page.text)
        self.assertIn("key=********", page.text)
        self.assertNotIn("Pause checks", page.text, "no write controls for a viewer")
        self.assertNotIn("Add a monitor", viewer.get("/admin/monitors").text)
        before = self.definitions()
        for path, fields in ((f"/admin/monitors/{mon['id']}", {"action": "delete"}),
                             ("/admin/monitors/new", {"kind": "http", "name": "Sneaky", "target": "http://x/"}),
                             ("/admin/alerts", {"action": "add", "name": "x", "channel": "email",
                                                "address": "x@example.com"})):
            r = viewer.post(path, {"csrf": viewer.csrf(page), **fields})
            self.assertEqual(r.status, 403, path)
        self.assertEqual(viewer.get("/admin/monitors/new").status, 403)
        admin = self.signed_in("admin@example.com")
        self.assertIn("s3cret", admin.get(f"/admin/monitors/{mon['id']}").text, "admins see what they edit")
        r = admin.post(f"/admin/monitors/{mon['id']}", {"action": "delete"})
        self.assertEqual(r.status, 403)
        self.assertIn("nothing was", r.text)
        r = admin.post("/admin/monitors/new", {"csrf": "forged", "kind": "http", "name": "Forged",
                                               "target": f"{self.target.url}/ok"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.definitions(), before)

    def test_heartbeat_url_is_shown_once_and_rotates(self):
        b = self.signed_in("admin@example.com")
        r = self.add_form(b, "heartbeat", name="Nightly backup", interval_seconds="3600", grace_seconds="600")
        self.assertEqual(r.status, 200, main_html(r))
        url = re.search(r'id="heartbeat-url"[^>]*value="([^"]+)"', r.text).group(1)
        self.assertEqual(r.headers["Referrer-Policy"], "no-referrer")
        path = urllib.parse.urlparse(url).path
        self.assertEqual(self.herald.request("POST", path).status, 200)
        mon = self.monitors()["Nightly backup"]
        page = b.get(f"/admin/monitors/{mon['id']}")
        self.assertNotIn(path, page.text, "shown once only")
        r = b.post(f"/admin/monitors/{mon['id']}", {"csrf": b.csrf(page), "action": "rotate"})
        new_path = urllib.parse.urlparse(re.search(r'id="heartbeat-url"[^>]*value="([^"]+)"', r.text).group(1)).path
        self.assertNotEqual(new_path, path)
        self.assertEqual(self.herald.request("POST", path).status, 404)
        self.assertEqual(self.herald.request("POST", new_path).status, 200)

    def test_alert_targets_and_automation_rules(self):
        b = self.signed_in("admin@example.com")
        page = b.get("/admin/alerts")
        self.assertIn("Add an alert target", page.text)
        r = b.post("/admin/alerts", {"csrf": b.csrf(page), "action": "add", "name": "On-call", "channel": "email",
                                     "address": "not an address"})
        self.assertEqual(r.status, 422)
        self.assertIn('role="alert"', r.text)
        self.assertEqual(self.api("GET", "/alert_targets"), [])
        r = b.post("/admin/alerts", {"csrf": b.csrf(page), "action": "add", "name": "Ops hook", "channel": "webhook",
                                     "address": "http://127.0.0.1:9/hooks/s3cret"})
        self.assertEqual(r.status, 200, main_html(r))
        self.assertIn('id="target-secret"', r.text, "the signing secret, once")
        targets = self.api("GET", "/alert_targets")
        self.assertEqual([t["name"] for t in targets], ["Ops hook"])
        viewer = self.signed_in("viewer@example.com")
        self.assertNotIn("s3cret", viewer.get("/admin/alerts").text)
        r = b.post("/admin/alerts", {"csrf": b.csrf(page), "action": "delete", "target": targets[0]["id"]})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.api("GET", "/alert_targets"), [])

        comp = self.api("POST", "/components", {"component": {"name": "Rule target"}}, status=201)
        rule_page = b.get(f"/admin/automation/{comp['id']}")
        self.assertIn("No rule yet", rule_page.text)
        r = b.post(f"/admin/automation/{comp['id']}", {"csrf": b.csrf(rule_page), "action": "save", "mode": "sometimes",
                                                       "draft_publish_after_seconds": "600"})
        self.assertEqual(r.status, 422)
        self.assertEqual(self.herald.request("GET", f"/v1/pages/{self.page_id}/automation_rules/{comp['id']}",
                                             token=self.token).status, 404)
        r = b.post(f"/admin/automation/{comp['id']}", {"csrf": b.csrf(rule_page), "action": "save", "mode": "draft",
                                                       "draft_publish_after_seconds": "900", "notify": "1"})
        self.assertEqual(r.status, 303, main_html(r))
        rule = self.api("GET", f"/automation_rules/{comp['id']}")
        self.assertEqual((rule["mode"], rule["draft_publish_after_seconds"], rule["notify"]), ("draft", 900, True))
        self.assertIn("draft: a draft waits", b.get("/admin/automation").text)

    def test_drafts_are_published_and_discarded_from_the_dashboard(self):
        names = ("Draft one down", "Draft two down")
        for name in names:
            comp = self.api("POST", "/components", {"component": {"name": name}}, status=201)
            self.api("PUT", f"/automation_rules/{comp['id']}", {"automation_rule": {
                "mode": "draft", "draft_publish_after_seconds": 3600, "incident_name": name}}, status=200)
            self.api("POST", "/monitors", {"monitor": {
                "name": name + " check", "kind": "http", "target": f"{self.target.url}/status/503",
                "component_id": comp["id"], "interval_seconds": 5, "timeout_seconds": 2, "failures_to_down": 1,
                "failure_window": 1}}, status=201)

        def waiting():
            return {d["name"]: d for d in self.api("GET", "/incident_drafts?state=waiting") if d["name"] in names}
        drafts = self.herald.wait_for(lambda: len(waiting()) == 2 and waiting(), timeout=30, what="two drafts")
        viewer = self.signed_in("viewer@example.com")
        dash = viewer.get("/admin")
        self.assertIn("Draft one down", dash.text)
        self.assertNotIn(">Publish</button>", dash.text, "a viewer sees drafts but no buttons")
        r = viewer.post("/admin", {"csrf": viewer.csrf(dash), "action": "publish",
                                   "draft": drafts["Draft one down"]["id"]})
        self.assertEqual(r.status, 403)

        b = self.signed_in("responder@example.com")
        dash = b.get("/admin")
        self.assertIn('aria-label="Publish Draft one down"', dash.text)
        self.assertIn("Monitors down or flapping", dash.text)
        self.assertIn("Draft one down check", dash.text)
        r = b.post("/admin", {"action": "publish", "draft": drafts["Draft one down"]["id"]})
        self.assertEqual(r.status, 403, "no CSRF token: refused")
        self.assertEqual(len(waiting()), 2)
        r = b.post("/admin", {"csrf": b.csrf(dash), "action": "publish", "draft": drafts["Draft one down"]["id"]})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"], "/admin?done=published")
        r = b.post("/admin", {"csrf": b.csrf(dash), "action": "discard", "draft": drafts["Draft two down"]["id"]})
        self.assertEqual(r.status, 303)
        self.assertEqual(waiting(), {})
        states = {d["name"]: d["state"] for d in self.api("GET", "/incident_drafts") if d["name"] in names}
        self.assertEqual(states, {"Draft one down": "published", "Draft two down": "discarded"})
        incidents = self.herald.get(f"/v1/pages/{self.page_id}/incidents", token=self.token).json()
        self.assertIn("Draft one down", [i["name"] for i in incidents])
        dash = b.get("/admin?done=published")
        self.assertIn("The draft was published", dash.text)
        self.assertIn("Draft one down", main_html(dash).split('id="open-h"', 1)[1].split("</section>", 1)[0])
        # Publishing it again is refused with a message, and changes nothing.
        r = b.post("/admin", {"csrf": b.csrf(dash), "action": "publish", "draft": drafts["Draft one down"]["id"]})
        self.assertEqual(r.status, 409)
        self.assertIn("Nothing was changed", r.text)
        audit = self.herald.get("/v1/audit_log?limit=20", token=self.token).json()
        entries = audit.get("entries", audit) if isinstance(audit, dict) else audit
        self.assertIn("incident_draft.publish", [e["action"] for e in entries])
        self.assertIn("incident_draft.discard", [e["action"] for e in entries])

    def open_stream(self, cookies):
        sock = socket.create_connection(("127.0.0.1", self.herald.port), timeout=10)
        head = "GET /admin/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        if cookies:
            head += "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()) + "\r\n"
        sock.sendall((head + "\r\n").encode())
        f = sock.makefile("rb")
        status = int(f.readline().split()[1])
        return sock, f, status

    def test_live_stream_needs_a_session_tells_of_changes_and_is_bounded(self):
        sock, f, status = self.open_stream({})
        self.assertEqual(status, 401)
        sock.close()
        b = self.signed_in("viewer@example.com")
        sock, f, status = self.open_stream(b.cookies)
        self.assertEqual(status, 200)
        self.api("POST", "/incidents", {"incident": {"name": "Stream test", "status": "investigating",
                                                     "body": "Looking."}}, status=201)
        deadline = time.time() + 10
        seen = b""
        while b"event: change" not in seen and time.time() < deadline:
            seen += f.readline()
        self.assertIn(b"event: change", seen)
        streams = [(sock, f)]
        try:
            refused = None
            for _ in range(20):
                s, g, status = self.open_stream(b.cookies)
                streams.append((s, g))
                if status != 200:
                    refused = status
                    break
            self.assertEqual(refused, 429, "at most 8 console streams per client")
            self.assertEqual(len(streams), 9)
        finally:
            for s, g in streams:
                g.close()
                s.close()
        # Closed streams free their places.
        def reopened():
            s, g, status = self.open_stream(b.cookies)
            g.close()
            s.close()
            return status == 200
        self.herald.wait_for(reopened, timeout=10, what="a stream admitted again")


if __name__ == "__main__":
    main()
