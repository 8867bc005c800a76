"""The console's maintenance and audit log screens with the real binary, over HTTP as a browser
without scripts would use them (console_client.py).

Maintenance: a responder schedules a window through the form in the page's time zone
(Europe/Berlin) and the public /api/v2/scheduled-maintenances/upcoming.json has it at the right UTC
time; it is listed as upcoming and in the month view on its local day (a window at 00:30 in Berlin
is the day before in UTC); edited; cancelled and completed early, each after a confirmation step,
with the public lists and the components following. Refusals: bad input (end before start, no
title, a time that is not one) names the field and changes nothing; a viewer sees but cannot
post; a POST without the CSRF token changes nothing.

Audit log: the console's writes are on /admin/audit newest first as the signed-in user, filtered
by action, actor and target, paged by index, with their changes; the CSV export (the API's writer)
has the same entries with the same filters; only admins see the screen."""
import csv
import datetime
import io
import os
import re
import sys
import unittest
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from console_client import Console, server_with_page  # noqa: E402
from harness import main  # noqa: E402

BERLIN = ZoneInfo("Europe/Berlin")


def local(dt):
    """A datetime-local value: "2026-12-10T22:00"."""
    return dt.strftime("%Y-%m-%dT%H:%M")


def iso_utc(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:00.000Z")


class ConsoleMaintenance(unittest.TestCase):
    maxDiff = 2000

    @classmethod
    def setUpClass(cls):
        cls.h, cls.admin_key, cls.pid = server_with_page(time_zone="Europe/Berlin")
        cls.db = cls.component("Database")
        cls.api_c = cls.component("API")
        # A day well ahead, at 00:30 Berlin time: the day before in UTC.
        day = (datetime.datetime.now(BERLIN) + datetime.timedelta(days=3)).date()
        cls.start = datetime.datetime(day.year, day.month, day.day, 0, 30, tzinfo=BERLIN)
        cls.end = cls.start + datetime.timedelta(hours=2)

    @classmethod
    def tearDownClass(cls):
        cls.h.cleanup()

    @classmethod
    def component(cls, name):
        r = cls.h.request("POST", f"/v1/pages/{cls.pid}/components", {"component": {"name": name}},
                          token=cls.admin_key)
        assert r.status == 201, r.body
        return r.json()["id"]

    def maintenance(self, mid):
        r = self.h.get(f"/v1/pages/{self.pid}/incidents/{mid}", token=self.admin_key)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def all_maintenance(self):
        r = self.h.get(f"/v1/pages/{self.pid}/incidents?type=maintenance&limit=1000", token=self.admin_key)
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def public(self, which):
        return [m["id"] for m in
                self.h.get(f"/api/v2/scheduled-maintenances/{which}.json").json()["scheduled_maintenances"]]

    def schedule(self, c, name, first, last, components=(), **extra):
        fields = {"page": self.pid, "action": "save", "name": name, "body": f"{name}: expect short interruptions.",
                  "start": local(first), "end": local(last), "auto": "1", "notify": "1"}
        fields.update({f"component_{cid}": "1" for cid in components})
        fields.update(extra)
        return c.submit("/admin/maintenance/new", fields)

    def scheduled(self, c, name, start=None, end=None, components=()):
        r = self.schedule(c, name, start or self.start, end or self.end, components)
        self.assertEqual(r.status, 303, r.text[:3000])
        return r.headers["Location"].split("/admin/maintenance/", 1)[1].split("?", 1)[0]

    def test_schedule_through_the_form_in_the_pages_time_zone(self):
        c = Console(self.h, "responder@example.com")
        form = c.page("/admin/maintenance/new")
        self.assertIn('<label for="m-start">Start</label>', form.text)
        self.assertIn("Europe/Berlin", form.text)
        self.assertIn(f'<label for="m-component-{self.db}">Database</label>', form.text)
        r = self.schedule(c, "Database upgrade", self.start, self.end, [self.db])
        self.assertEqual(r.status, 303, r.text[:3000])
        page = c.follow(r)
        self.assertIn("Scheduled Database upgrade.", page.text)
        mid = r.headers["Location"].split("/admin/maintenance/", 1)[1].split("?", 1)[0]
        m = self.maintenance(mid)
        self.assertEqual(m["scheduled_for"], iso_utc(self.start))
        self.assertEqual(m["scheduled_until"], iso_utc(self.end))
        self.assertEqual(m["status"], "scheduled")
        self.assertEqual(m["impact"], "maintenance")
        self.assertEqual([x["id"] for x in m["components"]], [self.db])
        self.h.wait_for(lambda: mid in self.public("upcoming"), what="the public upcoming list")
        entry = self.audit_api(action="incident.create", target_type="incident", target_id=mid)[0]
        self.assertEqual(entry["actor_name"], "responder@example.com")

        # The list shows it as upcoming, in Berlin time.
        listing = c.page("/admin/maintenance").text
        upcoming = listing[listing.index('id="upcoming-h"'):listing.index('id="past-h"')]
        self.assertIn("Database upgrade", upcoming)
        self.assertIn(self.start.strftime("%d %b %Y, 00:30"), upcoming)

        # The month view: on its local day, not on the UTC day before.
        month = self.start.strftime("%Y-%m")
        view = c.page(f"/admin/maintenance?view=month&month={month}").text
        self.assertIn(f"<caption>{self.start.strftime('%B %Y')}</caption>", view)
        cells = re.findall(r'<td class="[^"]*">(.*?)</td>', view, re.S)
        day_cell = next(x for x in cells if f"{self.start.strftime('%A')} {self.start.day} " in x)
        self.assertIn("Database upgrade", day_cell)
        self.assertIn("00:30–02:30", day_cell)
        before = self.start - datetime.timedelta(days=1)
        if before.month == self.start.month:
            prev_cell = next(x for x in cells if f"{before.strftime('%A')} {before.day} " in x)
            self.assertNotIn("Database upgrade", prev_cell)
        self.assertIn("Previous month", view)
        self.assertEqual(c.get("/admin/maintenance?view=month&month=2026-13").status, 400)

        # Edit: a new title and a longer window.
        edit = c.page(f"/admin/maintenance/{mid}")
        self.assertIn(f'value="{local(self.start)}"', edit.text)
        r = c.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "save", "name": "Database upgrade v2",
                                                  "start": local(self.start),
                                                  "end": local(self.end + datetime.timedelta(hours=1)),
                                                  "auto": "1", "component_" + self.api_c: "1"})
        self.assertEqual(r.status, 303, r.text[:3000])
        self.assertIn("Saved Database upgrade v2.", c.follow(r).text)
        m = self.maintenance(mid)
        self.assertEqual(m["name"], "Database upgrade v2")
        self.assertEqual(m["scheduled_until"], iso_utc(self.end + datetime.timedelta(hours=1)))
        self.assertEqual(sorted(x["id"] for x in m["components"]), sorted([self.db, self.api_c]))
        entry = self.audit_api(action="incident.update", target_type="incident", target_id=mid)[0]
        self.assertIn({"field": "name", "before": "Database upgrade", "after": "Database upgrade v2"},
                      entry["changes"])

    def test_cancel_after_a_confirmation_step(self):
        c = Console(self.h, "responder@example.com")
        mid = self.scheduled(c, "Network work", components=[self.api_c])
        self.h.wait_for(lambda: mid in self.public("upcoming"), what="upcoming")
        confirm = c.page(f"/admin/maintenance/{mid}?confirm=cancel")
        self.assertIn("Cancel Network work?", confirm.text)
        self.assertEqual(self.maintenance(mid)["status"], "scheduled", "asking changes nothing")
        r = c.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "cancel",
                                                  "body": "Postponed to next month.", "notify": "1"})
        self.assertEqual(r.status, 303, r.text[:3000])
        self.assertIn("Cancelled Network work.", c.follow(r).text)
        m = self.maintenance(mid)
        self.assertEqual(m["status"], "resolved")
        self.assertEqual(m["incident_updates"][0]["body"], "Postponed to next month.")
        self.h.wait_for(lambda: mid not in self.public("upcoming"), what="gone from upcoming")
        self.assertIn("Cancelled", c.page(f"/admin/maintenance/{mid}").text)
        # It cannot be cancelled twice.
        r = c.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "cancel", "body": "Again"})
        self.assertEqual(r.status, 409)

    def test_complete_early_restores_the_components(self):
        c = Console(self.h, "responder@example.com")
        now = datetime.datetime.now(BERLIN).replace(second=0, microsecond=0)
        mid = self.scheduled(c, "Cache flush", now - datetime.timedelta(minutes=30), now + datetime.timedelta(hours=3),
                             [self.api_c])
        # Start it (as the scheduler would at its start).
        r = self.h.request("PATCH", f"/v1/pages/{self.pid}/incidents/{mid}",
                           {"incident": {"status": "in_progress", "body": "Started."}}, token=self.admin_key)
        self.assertEqual(r.status, 200, r.body)
        self.h.wait_for(lambda: mid in self.public("active"), what="active")
        summary = lambda: {x["id"]: x["status"] for x in self.h.get("/api/v2/summary.json").json()["components"]}
        self.h.wait_for(lambda: summary()[self.api_c] == "under_maintenance", what="under maintenance")
        listing = c.page("/admin/maintenance").text
        self.assertIn("Cache flush", listing[listing.index('id="active-h"'):listing.index('id="upcoming-h"')])
        self.assertIn("Complete Cache flush now?", c.page(f"/admin/maintenance/{mid}?confirm=complete").text)
        r = c.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "complete",
                                                  "body": "Done early.", "notify": "1"})
        self.assertEqual(r.status, 303, r.text[:3000])
        self.assertIn("Cache flush is completed.", c.follow(r).text)
        self.assertEqual(self.maintenance(mid)["status"], "completed")
        self.h.wait_for(lambda: mid not in self.public("active"), what="no longer active")
        self.h.wait_for(lambda: summary()[self.api_c] == "operational", what="the component restored")

    def test_bad_input_names_the_field_and_changes_nothing(self):
        c = Console(self.h, "responder@example.com")
        before = self.all_maintenance()
        r = self.schedule(c, "Backwards", self.end, self.start)
        self.assertEqual(r.status, 422)
        self.assertIn('<a href="#m-end">The end must be after the start.</a>', r.text)
        self.assertIn('aria-describedby="m-tz m-end-error" aria-invalid="true"', r.text)
        self.assertIn('value="Backwards"', r.text, "what was typed stays")
        r = self.schedule(c, "   ", self.start, self.end)
        self.assertEqual(r.status, 422)
        self.assertIn('<a href="#m-name">Give the maintenance a title.</a>', r.text)
        r = self.schedule(c, "No time", self.start, self.end, start="next tuesday")
        self.assertEqual(r.status, 422)
        self.assertIn('href="#m-start"', r.text)
        past = datetime.datetime.now(BERLIN) - datetime.timedelta(days=2)
        r = self.schedule(c, "Too late", past, past + datetime.timedelta(hours=1))
        self.assertEqual(r.status, 422)
        self.assertIn("The end is in the past", r.text)
        mid = self.scheduled(c, "Fine")
        r = c.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "save", "name": "Fine",
                                                  "start": local(self.end), "end": local(self.start)})
        self.assertEqual(r.status, 422)
        self.assertEqual(self.maintenance(mid)["scheduled_for"], iso_utc(self.start))
        r = c.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "cancel", "body": " "})
        self.assertEqual(r.status, 422)
        self.assertIn('href="#m-body"', r.text)
        self.assertEqual(self.maintenance(mid)["status"], "scheduled")
        self.assertEqual(len(self.all_maintenance()), len(before) + 1)

    def test_a_viewer_sees_but_cannot_post_and_csrf_is_required(self):
        c = Console(self.h, "responder@example.com")
        mid = self.scheduled(c, "Viewer check")
        v = Console(self.h, "viewer@example.com")
        listing = v.page("/admin/maintenance")
        self.assertIn("Viewer check", listing.text)
        self.assertNotIn("Schedule maintenance", listing.text)
        one = v.page(f"/admin/maintenance/{mid}")
        self.assertNotIn("Cancel maintenance", one.text)
        self.assertNotIn('name="action" value="save"', one.text)
        self.assertEqual(v.get("/admin/maintenance/new").status, 403)
        before = self.all_maintenance()
        r = self.schedule(v, "Viewer's", self.start, self.end)
        self.assertEqual(r.status, 403)
        self.assertIn("schedule_maintenance", r.text)
        r = v.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "cancel", "body": "x"})
        self.assertEqual(r.status, 403)
        r = c.submit("/admin/maintenance/new", {"page": self.pid, "action": "save", "name": "No token",
                                                "start": local(self.start), "end": local(self.end)}, csrf=False)
        self.assertEqual(r.status, 403)
        r = c.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "cancel", "body": "x",
                                                  "csrf": "0" * 64}, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.all_maintenance(), before)
        self.assertEqual(self.maintenance(mid)["status"], "scheduled")

    # --- the audit log screen --------------------------------------------------------------------

    def audit_api(self, **query):
        r = self.h.get("/v1/audit_log?" + urllib.parse.urlencode(query), token=self.admin_key)
        self.assertEqual(r.status, 200, r.body)
        return r.json()["entries"]

    def test_the_audit_screen_shows_filters_pages_and_exports_the_writes(self):
        r = Console(self.h, "responder@example.com")
        mid = self.scheduled(r, "Audited window")
        r.submit(f"/admin/maintenance/{mid}", {"page": self.pid, "action": "save", "name": "Audited window 2",
                                              "start": local(self.start), "end": local(self.end)})
        a = Console(self.h, "admin@example.com")
        screen = a.page("/admin/audit")
        self.assertIn('<label for="audit-action">Action starts with</label>', screen.text)
        text = screen.text
        self.assertIn("responder@example.com", text)
        # Newest first: the edit above the creation.
        self.assertLess(text.index("incident.update"), text.index("incident.create"))
        self.assertIn("Audited window 2", text, "the edit's changes are shown")
        # Filters: action prefix, target; the actor link filters by that actor.
        one = a.page(f"/admin/audit?action=incident.create&target_type=incident&target_id={mid}").text
        self.assertEqual(one.count('class="audit-entry"'), 1, one[:3000])
        actor = re.search(r'href="(/admin/audit\?actor=user%3A[^"]+)"', text).group(1)
        by_actor = a.page(actor.replace("&amp;", "&")).text
        self.assertIn("responder@example.com", by_actor)
        self.assertNotIn("admin@example.com</span>", by_actor.split("<main", 1)[1])
        # Paging by index: one entry per page, the next page holds the next older entry.
        first = a.page("/admin/audit?limit=1&action=incident.")
        self.assertEqual(first.text.count('class="audit-entry"'), 1)
        older = re.search(r'href="([^"]*cursor=[^"]+)">Older entries', first.text).group(1).replace("&amp;", "&")
        second = a.page(older)
        self.assertEqual(second.text.count('class="audit-entry"'), 1)
        self.assertNotEqual(re.findall(r'data-id="(\d+)"', first.text), re.findall(r'data-id="(\d+)"', second.text))
        # A bad filter names the field.
        bad = a.get("/admin/audit?since=2026-12-10T10:00&until=2026-12-01T10:00")
        self.assertEqual(bad.status, 422)
        self.assertIn('href="#audit-since"', bad.text)
        # The CSV export: the same filters, the API's writer.
        export = re.search(r'href="(/admin/audit/export\.csv[^"]*)"', a.page("/admin/audit?action=incident.").text)
        r_csv = a.get(export.group(1).replace("&amp;", "&"))
        self.assertEqual(r_csv.status, 200)
        self.assertIn("text/csv", r_csv.headers["Content-Type"])
        self.assertIn("attachment", r_csv.headers["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(r_csv.text)))
        self.assertTrue(rows)
        self.assertTrue(all(row["action"].startswith("incident.") for row in rows))
        self.assertIn(mid, [row["target_id"] for row in rows])
        api_csv = self.h.get("/v1/audit_log/export.csv?action=incident.", token=self.admin_key)
        self.assertEqual(r_csv.text, api_csv.text, "the same writer as the API's export")
        # Admins only.
        self.assertEqual(r.get("/admin/audit").status, 403)
        self.assertEqual(r.get("/admin/audit/export.csv").status, 403)


if __name__ == "__main__":
    main()
