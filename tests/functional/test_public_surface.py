"""The public surface as visitors, widgets and feed readers see it: the status page, the
Statuspage-compatible /api/v2 documents, feeds, badge, conditional GET and gzip, CORS, live
updates over Server-Sent Events, several pages, and that nothing hidden or internal leaks."""
import gzip
import json
import os
import socket
import sys
import time
import xml.dom.minidom

sys.path.insert(0, os.path.dirname(__file__))
from harness import HeraldTestCase, main  # noqa: E402

V2 = ["summary", "status", "components", "incidents", "incidents/unresolved", "scheduled-maintenances",
      "scheduled-maintenances/upcoming", "scheduled-maintenances/active"]


class PublicSurface(HeraldTestCase):
    demo = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        h = cls.herald
        pages = h.get("/v1/pages", token=cls.admin).json()
        cls.pid = next(p["id"] for p in pages if p["is_default"])
        r = h.request("POST", f"/v1/pages/{cls.pid}/components",
                      {"component": {"name": "Secret backend HIDDEN-COMPONENT", "hidden": True}}, token=cls.admin)
        assert r.status == 201, r.body
        cls.hidden = r.json()

    def test_demo_page_renders(self):
        r = self.herald.get("/")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"))
        html = r.text
        self.assertIn("Acme Cloud", html)
        self.assertIn("Delays sending email notifications", html)
        self.assertIn("Database upgrade for the Europe region", html)
        self.assertIn('lang="', html)
        self.assertIn("<main", html)

    def test_v2_documents_have_statuspage_shapes(self):
        for name in V2:
            with self.subTest(doc=name):
                r = self.herald.get(f"/api/v2/{name}.json")
                self.assertEqual(r.status, 200, name)
                self.assertEqual(r.headers["Access-Control-Allow-Origin"], "*")
                doc = r.json()
                self.assertEqual(set(doc["page"].keys()), {"id", "name", "url", "time_zone", "updated_at"})
        s = self.herald.get("/api/v2/summary.json").json()
        self.assertEqual(set(s.keys()), {"page", "components", "incidents", "scheduled_maintenances", "status"})
        self.assertEqual(s["status"]["indicator"], "minor")
        self.assertEqual(len(s["incidents"]), 1)
        self.assertEqual(len(s["incidents"][0]["incident_updates"]), 3)
        self.assertEqual(len(s["scheduled_maintenances"]), 1)
        groups = [c for c in s["components"] if c["group"]]
        self.assertEqual(len(groups), 4)
        self.assertEqual(len([c for c in s["components"] if not c["group"]]), 12)
        resolved = self.herald.get("/api/v2/incidents.json").json()["incidents"]
        self.assertTrue(any(i["status"] == "resolved" for i in resolved))

    def test_hidden_components_never_appear_publicly(self):
        for path in ["/", "/api/v2/summary.json", "/api/v2/components.json", "/history.atom", "/badge.svg"]:
            self.assertNotIn(b"HIDDEN-COMPONENT", self.herald.get(path).body, path)
            self.assertNotIn(self.hidden["id"].encode(), self.herald.get(path).body, path)

    def test_conditional_get_and_gzip(self):
        # The server may swap in a new snapshot between two requests (right after start the
        # notification and monitor runtimes ask for one): each pair is retried a few times, and
        # must agree whenever both requests saw the same snapshot.
        for _ in range(5):
            r = self.herald.get("/api/v2/summary.json")
            etag = r.headers["ETag"]
            self.assertTrue(etag)
            self.assertTrue(r.headers["Last-Modified"])
            self.assertIn("max-age", r.headers["Cache-Control"])
            r304 = self.herald.get("/api/v2/summary.json", headers={"If-None-Match": etag})
            if r304.status == 304:
                break
            time.sleep(0.2)
        self.assertEqual(r304.status, 304)
        self.assertEqual(r304.body, b"")
        # If-Modified-Since (for clients that keep only the date): the snapshot's own date, or a
        # later one, is current; an earlier one, or an unparseable one, gets the document.
        for _ in range(5):
            r = self.herald.get("/api/v2/summary.json")
            since = self.herald.get("/api/v2/summary.json", headers={"If-Modified-Since": r.headers["Last-Modified"]})
            if since.status == 304:
                break
            time.sleep(0.2)
        self.assertEqual(since.status, 304)
        self.assertEqual(since.body, b"")
        older = self.herald.get("/api/v2/summary.json",
                                headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
        self.assertEqual(older.status, 200)
        self.assertTrue(older.body)
        garbage = self.herald.get("/api/v2/summary.json", headers={"If-Modified-Since": "yesterday"})
        self.assertEqual(garbage.status, 200)
        # If-None-Match decides when both are sent (RFC 9110 13.2.2).
        both = self.herald.get("/api/v2/summary.json", headers={
            "If-None-Match": '"not-the-etag"', "If-Modified-Since": r.headers["Last-Modified"]})
        self.assertEqual(both.status, 200)
        # An unknown page is a 404 with its page, never a 304.
        missing = self.herald.get("/no-such-page", headers={"If-Modified-Since": r.headers["Last-Modified"]})
        self.assertEqual(missing.status, 404)
        for _ in range(5):
            z = self.herald.get("/", headers={"Accept-Encoding": "gzip"})
            self.assertEqual(z.headers["Content-Encoding"], "gzip")
            plain = self.herald.get("/").body
            if gzip.decompress(z.body) == plain:
                break
            time.sleep(0.2)
        self.assertEqual(gzip.decompress(z.body), plain)

    def test_feeds_and_badge(self):
        atom = self.herald.get("/history.atom")
        self.assertIn("atom", atom.headers["Content-Type"])
        dom = xml.dom.minidom.parseString(atom.body)
        self.assertGreaterEqual(len(dom.getElementsByTagName("entry")), 2)
        rss = self.herald.get("/history.rss")
        dom = xml.dom.minidom.parseString(rss.body)
        self.assertGreaterEqual(len(dom.getElementsByTagName("item")), 2)
        ics = self.herald.get("/calendar.ics")
        self.assertTrue(ics.headers["Content-Type"].startswith("text/calendar"))
        self.assertIn("BEGIN:VEVENT", ics.text)
        self.assertIn("Database upgrade", ics.text)
        self.assertIn("\r\n", ics.text)
        badge = self.herald.get("/badge.svg")
        self.assertEqual(badge.headers["Content-Type"], "image/svg+xml")
        xml.dom.minidom.parseString(badge.body)

    def test_incident_page_and_history(self):
        s = self.herald.get("/api/v2/incidents.json").json()
        for inc in s["incidents"]:
            r = self.herald.get(f"/incidents/{inc['id']}")
            self.assertEqual(r.status, 200, inc["id"])
            self.assertIn(inc["name"], r.text.replace("&#39;", "'"))
        self.assertEqual(self.herald.get("/history").status, 200)
        missing = self.herald.get("/incidents/does-not-exist")
        self.assertEqual(missing.status, 404)
        self.assertIn(b"Page not found", missing.body)
        self.assertIn("text/html", missing.headers["Content-Type"])

    def test_the_not_found_page_by_its_own_address_is_a_404(self):
        """Defects issue 16: /404 answered 200. A missing page is 404 everywhere, with the page's
        own not-found HTML."""
        for path in ["/404", "/404.html"]:
            with self.subTest(path=path):
                r = self.herald.get(path)
                self.assertEqual(r.status, 404)
                self.assertIn(b"Page not found", r.body)
                self.assertIn("text/html", r.headers["Content-Type"])

    def test_live_update_over_sse_within_a_second(self):
        s = socket.create_connection(("127.0.0.1", self.herald.port), timeout=5)
        s.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(4096)
        self.assertIn(b"text/event-stream", head)
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/components/{self.hidden['id']}",
                                {"component": {"description": "touch"}}, token=self.admin)
        self.assertEqual(r.status, 200)
        start = time.time()  # the change is committed once the API has answered
        buf = head.split(b"\r\n\r\n", 1)[1]
        while b"event: update" not in buf and time.time() - start < 3:
            buf += s.recv(4096)
        elapsed = time.time() - start
        s.close()
        self.assertIn(b"event: update", buf)
        self.assertLess(elapsed, 1.0)

    def test_public_writes_are_refused(self):
        r = self.herald.request("POST", "/api/v2/summary.json", body={})
        self.assertEqual(r.status, 405)
        self.assertIn("error", r.json())

    def test_second_page_by_path_and_host(self):
        r = self.herald.request("POST", "/v1/pages", {"page": {"name": "Internal tools", "slug": "internal",
                                                               "domain": "status.internal.test"}}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        p = r.json()
        self.herald.request("POST", f"/v1/pages/{p['id']}/components", {"component": {"name": "Build farm"}},
                            token=self.admin)
        page = self.herald.wait_for(lambda: (lambda x: x.status == 200 and b"Build farm" in x.body and x)(
            self.herald.get("/pages/internal/")), what="second page")
        self.assertIn(b"Internal tools", page.body)
        r = self.herald.get("/pages/internal/api/v2/summary.json")
        self.assertEqual(r.json()["page"]["id"], p["id"])
        r = self.herald.get("/api/v2/summary.json", headers={"Host": "status.internal.test"})
        self.assertEqual(r.json()["page"]["id"], p["id"])
        r = self.herald.get("/api/v2/summary.json")
        self.assertEqual(r.json()["page"]["id"], self.pid)

    def test_health_and_metrics(self):
        self.assertEqual(self.herald.get("/healthz").status, 200)
        r = self.herald.get("/readyz").json()
        self.assertTrue(r["ready"])
        self.assertEqual(r["database"], "up")
        self.assertEqual(r["writes"], "ok")
        # /metrics is not for visitors: off on the public listener unless a token is set
        # (tests/functional/test_operations.py covers the token and the metrics listener).
        r = self.herald.get("/metrics")
        self.assertEqual(r.status, 404)
        self.assertNotIn(b"herald_", r.body)


class FreshServer(HeraldTestCase):
    """A server started on an empty database (first-hour issue 4, defects issue 14)."""

    def test_1_welcome_page_says_how_to_create_a_page(self):
        r = self.herald.get("/")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/html"), r.headers["Content-Type"])
        self.assertIn("no status page yet", r.text)
        self.assertIn("herald apply", r.text)
        self.assertIn("/v1/pages", r.text)
        self.assertIn("script-src 'self'", r.headers["Content-Security-Policy"])
        self.assertNotIn("<style", r.text)
        self.assertEqual(self.herald.get("/assets/page.css").status, 200)
        self.assertEqual(self.herald.get("/no-such-thing").status, 404)

    def test_2_first_page_created_is_the_default(self):
        r = self.herald.request("POST", "/v1/pages", {"page": {"name": "First light"}}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        self.assertTrue(r.json()["is_default"])
        page = self.herald.wait_for(lambda: (lambda x: x.status == 200 and b"First light" in x.body and x)(
            self.herald.get("/")), what="the first page at /")
        self.assertIn(b"<main", page.body)
        summary = self.herald.get("/api/v2/summary.json")
        self.assertEqual(summary.status, 200)
        self.assertEqual(summary.json()["page"]["id"], r.json()["id"])
        second = self.herald.request("POST", "/v1/pages", {"page": {"name": "Second"}}, token=self.admin)
        self.assertEqual(second.status, 201, second.body)
        self.assertFalse(second.json()["is_default"])


class SinglePageWithoutDefault(HeraldTestCase):
    """First-hour issue 4: one page created with `default = false` is still the one the CLI treats
    as the default; the server serves it at "/" too instead of raw JSON."""

    def test_single_page_is_served_at_the_root(self):
        r = self.herald.request("POST", "/v1/pages", {"page": {"name": "Only page", "is_default": False}},
                                token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        self.assertFalse(r.json()["is_default"])
        page = self.herald.wait_for(lambda: (lambda x: x.status == 200 and b"Only page" in x.body and x)(
            self.herald.get("/")), what="the only page at /")
        self.assertTrue(page.headers["Content-Type"].startswith("text/html"))
        self.assertEqual(self.herald.get("/api/v2/summary.json").json()["page"]["id"], r.json()["id"])
        # Links under its own path (as messages sent before carry them) lead there.
        moved = self.herald.get(f"/pages/{r.json()['slug']}/history.html")
        self.assertEqual(moved.status, 200)
        self.assertIn(b"Incident history", moved.body)


if __name__ == "__main__":
    main()
