"""Three Herald instances on one PostgreSQL send one fan-out once: every webhook subscriber gets
exactly one message, none twice, and no instance crashes. Regression: all instances claimed the
dispatch job under the same lease owner name ("herald"), so each ran the whole fan-out and
40-80 % of the subscribers got two or more copies while Herald counted each delivery once.

Real processes: three `herald serve` on 127.0.0.1 sharing a fresh PostgreSQL database (the one
`make test` starts; without it this test fails, it does not skip) and a loopback webhook
receiver that records every POST with its webhook-id."""
import collections
import os
import sys
import tempfile
import shutil
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, fresh_postgres_database, main  # noqa: E402
import test_notifications as notifications  # noqa: E402 (its Receiver; its tests are not run here)

SUBSCRIBERS = 3000
INSTANCES = 3


class FanOutAcrossInstances(unittest.TestCase):
    def setUp(self):
        self.db = fresh_postgres_database()
        self.assertIsNotNone(self.db, "HERALD_TEST_PG_URL is not set: run through scripts/test.sh (make test)")
        self.tmp = tempfile.mkdtemp(prefix="herald-fanout-")
        self.hook_log = os.path.join(self.tmp, "hooks.jsonl")
        self.hooks = notifications.Receiver([os.path.join(notifications.FIXTURES, "webhook_receiver.py"),
                                             self.hook_log])
        self.instances = []

    def tearDown(self):
        for h in self.instances:
            h.cleanup()
        self.hooks.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_three_instances_send_each_subscriber_exactly_one_message(self):
        env = {
            "HERALD_NOTIFY_ALLOW_PRIVATE": "127.0.0.0/8",
            "HERALD_NOTIFY_ALLOW_HTTP": "1",
            "HERALD_MONITOR_ENABLED": "0",
        }
        for _ in range(INSTANCES):
            self.instances.append(Herald(db=self.db, env=env).start())
        first = self.instances[0]
        admin = first.token("admin")
        r = first.request("POST", "/v1/pages", {"page": {"name": "Acme", "slug": "acme", "is_default": True}},
                          token=admin)
        self.assertEqual(r.status, 201, r.body)
        page_id = r.json()["id"]
        # Imported through the API in chunks (each request well within the client's timeout).
        for start in range(0, SUBSCRIBERS, 250):
            csv = "channel,address\n" + "".join(f"webhook,http://127.0.0.1:{self.hooks.port}/hook?s={i}\n"
                                                for i in range(start, min(SUBSCRIBERS, start + 250)))
            r = first.request("POST", f"/v1/pages/{page_id}/subscribers/import", raw=csv.encode(),
                              headers={"Content-Type": "text/csv"}, token=admin)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.json()["errors"], [], r.body)
        listed = first.get(f"/v1/pages/{page_id}/subscribers?per_page=1", token=admin)
        self.assertEqual(listed.status, 200, listed.body)
        # Every instance is up and sees the subscribers before the event exists.
        for h in self.instances:
            self.assertEqual(h.get("/readyz").status, 200)

        r = first.request("POST", f"/v1/pages/{page_id}/incidents", {"incident": {
            "name": "Payments failing", "status": "investigating", "impact": "major",
            "body": "We are looking into it."}}, token=admin)
        self.assertEqual(r.status, 201, r.body)
        incident_id = r.json()["id"]

        def copies():
            by_subscriber = collections.defaultdict(list)
            for rec in notifications.records(self.hook_log):
                if "s=" in rec["path"]:
                    by_subscriber[rec["path"].split("s=")[1]].append(rec["headers"]["webhook-id"])
            return by_subscriber

        first.wait_for(lambda: len(copies()) == SUBSCRIBERS, timeout=120, what="every subscriber reached")
        # The other instances poll the outbox every second: give a duplicate fan-out time to show.
        time.sleep(5)
        got = copies()
        twice = {s: ids for s, ids in got.items() if len(ids) > 1}
        self.assertEqual(len(got), SUBSCRIBERS)
        self.assertEqual(len(twice), 0, f"{len(twice)} of {SUBSCRIBERS} subscribers got more than one copy, "
                                        f"e.g. {list(twice.items())[:3]}")
        for h in self.instances:
            self.assertIsNone(h.proc.poll(), "an instance exited: " + "".join(h.log_lines[-20:]))
        # Herald's own count agrees: one delivery each, all delivered.
        counts = first.get(f"/v1/pages/{page_id}/incidents/{incident_id}/deliveries", token=admin)
        self.assertEqual(counts.status, 200, counts.body)
        self.assertEqual(counts.json()["total"], SUBSCRIBERS, counts.body)
        first.wait_for(lambda: first.get(f"/v1/pages/{page_id}/incidents/{incident_id}/deliveries",
                                         token=admin).json()["delivered"] == SUBSCRIBERS, what="all recorded")

if __name__ == "__main__":
    main()
