#!/usr/bin/env python3
"""What the operator console's screens stand on, through the management API of the real binary:
- the dashboard (GET /v1/pages/{page}/dashboard): open incidents with the promised next update,
  maintenance, delivery health;
- keyset pages of subscribers (by address, prefix search, filters) and incidents (newest first,
  by status) with an opaque cursor in Link / X-Next-Cursor, stable while rows are inserted, and
  today's responses unchanged without the new parameters;
- the composer's preview (POST /v1/pages/{page}/incidents/preview): writes nothing, and says what
  a real SMTP server and a real webhook receiver then get when the same incident is published.
Each against SQLite and PostgreSQL."""
import json
import os
import re
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, fresh_postgres_database, main, missing_fixture  # noqa: E402
import test_notifications  # noqa: E402  (not its classes: unittest would run them here too)
from test_notifications import FIXTURES, Receiver, records  # noqa: E402

TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z|\w{3} \d{2} \w{3} \d{4}, \d{2}:\d{2} \w+")
TOKEN = re.compile(r"token=[A-Za-z0-9_.~%-]+")


def normalized(text, ids):
    """`text` with what differs per write and per delivery replaced: ids, times, link tokens."""
    for preview_id, real_id in ids.items():
        text = text.replace(preview_id, real_id)
    return TOKEN.sub("token=T", TIME.sub("<time>", text))


def next_link(resp):
    link = resp.headers.get("Link")
    if not link:
        return None
    m = re.match(r"<([^>]+)>; rel=\"next\"", link)
    assert m, link
    return m.group(1)


class ConsoleViewsTest(unittest.TestCase):
    backend = "sqlite"

    def setUp(self):
        db = None
        if self.backend == "postgresql":
            db = fresh_postgres_database()
            if not db:
                missing_fixture("HERALD_TEST_PG_URL is not set (make test sets it)")
        self.tmp = tempfile.mkdtemp(prefix="herald-console-")
        self.mail_dir = os.path.join(self.tmp, "mail")
        os.makedirs(self.mail_dir)
        self.smtp = Receiver([os.path.join(FIXTURES, "smtp_sink.py"), "--dir", self.mail_dir], port_prefix="PORT")
        self.hook_log = os.path.join(self.tmp, "hooks.jsonl")
        self.hooks = Receiver([os.path.join(FIXTURES, "webhook_receiver.py"), self.hook_log])
        env = {
            "HERALD_SMTP_URL": f"smtp://127.0.0.1:{self.smtp.port}",
            "HERALD_SMTP_FROM": "status@acme.example",
            "HERALD_NOTIFY_ALLOW_PRIVATE": "127.0.0.0/8",
            "HERALD_NOTIFY_ALLOW_HTTP": "1",
            "HERALD_PUBLIC_URL": "https://status.acme.test",
        }
        self.h = Herald(db=db, env=env).start()
        self.admin = self.h.token("admin")
        self.responder = self.h.token("responder")
        self.viewer = self.h.token("viewer")
        r = self.h.request("POST", "/v1/pages", {"page": {"name": "Acme", "slug": "acme"}}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        self.page_id = r.json()["id"]
        r = self.h.request("POST", f"/v1/pages/{self.page_id}/components", {"component": {"name": "API"}},
                           token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        self.api = r.json()["id"]

    def tearDown(self):
        self.h.cleanup()
        self.smtp.stop()
        self.hooks.stop()

    def path(self, rest):
        return f"/v1/pages/{self.page_id}/{rest}"

    def subscribe(self, body):
        r = self.h.request("POST", self.path("subscribers"), {"subscriber": body}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    def incident(self, name, **fields):
        r = self.h.request("POST", self.path("incidents"), {"incident": {"name": name, **fields}},
                           token=self.responder)
        self.assertEqual(r.status, 201, r.body)
        return r.json()

    mails = test_notifications.NotificationsTest.mails  # the messages in the SMTP sink, oldest first

    def all_pages(self, first, token=None):
        """Follows Link rel="next" from `first`; returns (ids, responses)."""
        ids, responses, url = [], [], first
        while url:
            r = self.h.get(url, token=token or self.viewer)
            self.assertEqual(r.status, 200, r.body)
            responses.append(r)
            ids += [x["id"] for x in r.json()]
            url = next_link(r)
            if url:
                self.assertEqual(r.headers["X-Next-Cursor"], urllib.parse.parse_qs(url.split("?", 1)[1])["cursor"][0])
            self.assertLess(len(responses), 50)
        return ids, responses

    def test_dashboard_shows_promises_maintenance_and_delivery_health(self):
        soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 12 * 60 + 30))
        inc = self.incident("Login failures", status="investigating", body="Looking.", next_update_at=soon,
                            components={self.api: "major_outage"})
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
        end = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7200))
        maint = self.incident("DB upgrade", scheduled_for=start, scheduled_until=end, body="Planned.")
        r = self.h.get(self.path("dashboard"), token=self.viewer)
        self.assertEqual(r.status, 200, r.body)
        d = r.json()
        self.assertEqual(d["page"]["id"], self.page_id)
        self.assertEqual(d["status"]["indicator"], "critical")
        self.assertEqual([i["id"] for i in d["open_incidents"]], [inc["id"]])
        open_incident = d["open_incidents"][0]
        self.assertFalse(open_incident["next_update_overdue"])
        self.assertIn(open_incident["next_update_label"], ("due in 12 min", "due in 13 min"))
        self.assertGreater(open_incident["next_update_due_in_seconds"], 11 * 60)
        self.assertEqual([m["id"] for m in d["maintenance"]["upcoming"]], [maint["id"]])
        self.assertEqual(d["maintenance"]["active"], [])
        self.assertEqual(d["monitors"], [])
        self.assertEqual(d["drafts"], [])
        self.assertEqual(sorted(d["delivery"]), ["failed_last_24h", "fanouts_in_progress", "pending_deliveries",
                                                 "quarantined_subscribers"])
        self.assertEqual(d["delivery"]["failed_last_24h"], 0)
        self.assertEqual(d["delivery"]["quarantined_subscribers"], 0)
        self.assertEqual(self.h.request("POST", self.path("dashboard"), {}, token=self.admin).status, 405)
        self.assertEqual(self.h.get(self.path("dashboard")).status, 401)

    def test_subscriber_pages_by_address_with_search_filters_and_concurrent_inserts(self):
        addresses = [f"user{i:02d}@example.com" for i in range(12)] + ["zed@example.org"]
        for a in addresses:
            self.subscribe({"email": a, "skip_confirmation_notification": True})
        plain = self.h.get(self.path("subscribers"), token=self.viewer)
        self.assertIsNone(plain.headers.get("Link"), "today's list is unchanged without the new parameters")
        self.assertIsNone(plain.headers.get("X-Next-Cursor"))

        first = self.h.get(self.path("subscribers?q=USER&limit=5"), token=self.viewer)
        self.assertEqual(first.status, 200, first.body)
        self.assertEqual([s["email"] for s in first.json()], addresses[:5])
        # Inserted while paging: one before the cursor (not seen), one after it (seen once).
        self.subscribe({"email": "user00a@example.com", "skip_confirmation_notification": True})
        self.subscribe({"email": "user10a@example.com", "skip_confirmation_notification": True})
        ids, responses = self.all_pages(next_link(first))
        emails = [s["email"] for r in responses for s in r.json()]
        self.assertEqual(emails, addresses[5:10] + ["user10@example.com", "user10a@example.com",
                                                    "user11@example.com"])
        self.assertEqual(len(ids), len(set(ids)))
        self.assertIsNone(next_link(responses[-1]))

        all_ids, _ = self.all_pages(self.path("subscribers?cursor=&limit=4"))
        self.assertEqual(len(all_ids), 15)
        q = self.h.get(self.path("subscribers?q=zed&state=active&channel=email"), token=self.viewer)
        self.assertEqual([s["email"] for s in q.json()], ["zed@example.org"])
        self.assertEqual(self.h.get(self.path("subscribers?q=zed&state=pending"), token=self.viewer).json(), [])
        bad = self.h.get(self.path("subscribers?cursor=bm90IGEgY3Vyc29y"), token=self.viewer)
        self.assertEqual(bad.status, 400)
        self.assertEqual(bad.json()["error"]["field"], "cursor")
        mixed = self.h.get(self.path("subscribers?q=a&after=x"), token=self.viewer)
        self.assertEqual(mixed.status, 400)
        self.assertEqual(mixed.json()["error"]["field"], "after")

    def test_incident_pages_newest_first_by_status(self):
        made = [self.incident(f"Incident {i}", body="x")["id"] for i in range(5)]
        r = self.h.request("PATCH", self.path(f"incidents/{made[1]}"), {"incident": {"status": "resolved"}},
                           token=self.responder)
        self.assertEqual(r.status, 200, r.body)
        plain = self.h.get(self.path("incidents"), token=self.viewer)
        self.assertIsNone(plain.headers.get("Link"))
        ids, _ = self.all_pages(self.path("incidents?limit=2"))
        self.assertEqual(ids, list(reversed(made)))
        resolved, _ = self.all_pages(self.path("incidents?status=resolved"))
        self.assertEqual(resolved, [made[1]])
        bad = self.h.get(self.path("incidents?status=sleeping"), token=self.viewer)
        self.assertEqual(bad.status, 400)
        self.assertEqual(bad.json()["error"]["field"], "status")
        mixed = self.h.get(self.path("incidents?cursor=&page=2"), token=self.viewer)
        self.assertEqual(mixed.status, 400)

    def test_preview_writes_nothing_and_matches_what_subscribers_receive(self):
        self.subscribe({"email": "ops@example.com", "skip_confirmation_notification": True})
        self.subscribe({"channel": "webhook", "endpoint": f"http://127.0.0.1:{self.hooks.port}/hook"})
        self.h.wait_for(lambda: len(records(self.hook_log)) >= 1, what="the webhook's test delivery")
        draft = {"incident": {"name": "Login failures", "status": "investigating", "impact": "major",
                              "body": "Some sign-ins fail with **HTTP 503**.", "components": {"API": "partial_outage"}}}

        self.assertEqual(self.h.request("POST", self.path("incidents/preview"), draft, token=self.viewer).status, 403)
        before = self.h.get(self.path("incidents"), token=self.viewer).body
        r = self.h.request("POST", self.path("incidents/preview"), draft, token=self.responder,
                           headers={"Idempotency-Key": "preview-1"})
        self.assertEqual(r.status, 200, r.body)
        preview = r.json()
        again = self.h.request("POST", self.path("incidents/preview"), draft, token=self.responder,
                               headers={"Idempotency-Key": "preview-1"})
        self.assertIsNone(again.headers.get("Idempotent-Replayed"), "no idempotency record was written")
        time.sleep(1.0)  # a write would have reached the dispatcher and its receivers by now
        self.assertEqual(self.h.get(self.path("incidents"), token=self.viewer).body, before)
        self.assertEqual(len(records(self.hook_log)), 1)
        self.assertEqual(self.mails(), [])
        comps = self.h.get(self.path("components"), token=self.viewer).json()
        self.assertEqual(comps[0]["status"], "operational")

        self.assertEqual(preview["message_kind"], "incident.created")
        self.assertTrue(preview["notifies"])
        self.assertEqual(preview["languages_in_use"], ["en"])
        self.assertIn("Login failures", preview["card_html"])
        [en] = preview["messages"]
        self.assertEqual(sorted(en), ["discord", "email", "language", "mattermost", "slack", "sms", "teams", "webhook"])
        self.assertEqual(en["sms"]["encoding"], "gsm7")
        self.assertEqual(en["sms"]["segments"], 1)
        self.assertEqual(en["sms"]["length"], len(en["sms"]["text"]))

        real = self.h.request("POST", self.path("incidents"), draft, token=self.responder)
        self.assertEqual(real.status, 201, real.body)
        real = real.json()
        ids = {preview["incident"]["id"]: real["id"],
               preview["incident"]["incident_updates"][0]["id"]: real["incident_updates"][0]["id"]}
        self.h.wait_for(lambda: self.mails() and len(records(self.hook_log)) >= 2, timeout=15,
                        what="the email and the webhook")
        mail = self.mails()[0]
        self.assertEqual(mail["Subject"], normalized(en["email"]["subject"], ids))
        self.assertEqual(normalized(mail.get_body(("plain",)).get_content().replace("\r\n", "\n"), ids),
                         normalized(en["email"]["text"], ids))
        self.assertEqual(normalized(mail.get_body(("html",)).get_content().replace("\r\n", "\n"), ids),
                         normalized(en["email"]["html"], ids))
        sent = json.loads(normalized(records(self.hook_log)[-1]["body"], ids))
        shown = json.loads(normalized(json.dumps(en["webhook"]["payload"]), ids))
        sent.pop("meta")
        shown.pop("meta")
        self.assertEqual(sent, shown)
        self.assertEqual(sent["incident"]["name"], "Login failures")

        bad = self.h.request("POST", self.path("incidents/preview"), {"incident": {"body": "no name"}},
                             token=self.responder)
        self.assertEqual(bad.status, 400)
        self.assertEqual(bad.json()["error"]["field"], "name")


class ConsoleViewsPostgresTest(ConsoleViewsTest):
    """The same, with the store in PostgreSQL (its bytewise address order, its indexes)."""
    backend = "postgresql"


if __name__ == "__main__":
    main()
