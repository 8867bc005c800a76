"""The console's Subscribers screens with the real binary, driven over HTTP as a browser without
JavaScript would (tests/functional/test_console_auth.py's cookie-keeping client):

- search by address prefix and the channel, state and segment filters find exactly the right rows;
- "Next page" links walk 200 subscribers without repeating or skipping one;
- one subscriber: its details and deliveries; unquarantine; delete after a confirmation;
- the CSV import from the upload form (multipart/form-data): the subscribers appear in the API;
  a file with one bad row writes nothing and names the line and field;
- the export has the rows, in the API's CSV;
- a viewer sees the list but gets 403 on every POST; a POST without the CSRF token changes nothing.
"""
import os
import re
import sqlite3
import sys
import unittest
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main  # noqa: E402
from test_console_auth import Browser, create_user  # noqa: E402

# Channels configured so that email and SMS addresses are accepted; nothing is sent by these tests
# (imports send nothing), so the servers named are not there.
CHANNELS = {
    "HERALD_SMTP_URL": "smtp://127.0.0.1:9",
    "HERALD_SMTP_FROM": "status@acme.example",
    "HERALD_SMS_PROVIDER": "twilio",
    "HERALD_SMS_BASE_URL": "http://127.0.0.1:9",
    "HERALD_SMS_ACCOUNT_SID": "AC" + "0" * 32,
    "HERALD_SMS_AUTH_TOKEN": "sekret",
    "HERALD_SMS_FROM": "+15005550006",
}
HEADER = "channel,address,component_ids,language,time_zone,detail,segment,priority"


def multipart(fields, files):
    """A multipart/form-data body as a browser builds it: (content type, bytes)."""
    boundary = "----HeraldTest" + uuid.uuid4().hex
    out = b""
    for name, value in fields.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    for name, (filename, ctype, data) in files.items():
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", out


class UploadBrowser(Browser):
    def upload(self, path, fields, files):
        import http.client
        ctype, body = multipart(fields, files)
        conn = http.client.HTTPConnection("127.0.0.1", self.herald.port, timeout=60)
        headers = {"Content-Type": ctype, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        r.text = r.read().decode("utf-8")
        conn.close()
        return r


def addresses_on(page_html):
    return re.findall(r'<th scope="row"><a href="/admin/subscribers/[^"]+">([^<]+)</a></th>', page_html)


class ConsoleScreenCase(unittest.TestCase):
    """A server in cls.herald with staff users (one per role given), an admin API key in cls.token
    and a page "Acme" (cls.page_id); signed-in browsers on it."""

    @classmethod
    def start_server(cls, roles, env=None):
        cls.herald = Herald(env=env).start()
        for role in roles:
            create_user(cls.herald, f"{role}@example.com", role)
        cls.token = cls.herald.token("admin")
        r = cls.herald.request("POST", "/v1/pages", {"page": {"name": "Acme", "slug": "acme"}}, token=cls.token)
        assert r.status == 201, r.text
        cls.page_id = r.json()["id"]

    @classmethod
    def tearDownClass(cls):
        cls.herald.cleanup()

    def signed_in(self, email="admin@example.com"):
        b = UploadBrowser(self.herald)
        r = b.sign_in(email)
        self.assertEqual(r.status, 303, r.text)
        return b


class ConsoleSubscribersTest(ConsoleScreenCase):
    @classmethod
    def setUpClass(cls):
        cls.start_server(("admin", "responder", "viewer"), env=CHANNELS)
        h = cls.herald
        rows = [HEADER]
        for i in range(200):
            channel = "email" if i % 4 else "sms"
            address = f"user{i:03d}@example.com" if channel == "email" else f"+1415555{i:04d}"
            segment = "enterprise" if i % 10 == 0 else ""
            rows.append(f"{channel},{address},,,,,{segment},")
        r = h.request("POST", f"/v1/pages/{cls.page_id}/subscribers/import", raw="\n".join(rows).encode() + b"\n",
                      headers={"Content-Type": "text/csv"}, token=cls.token)
        assert r.status == 200 and r.json()["imported"] == 200, r.text

    def api_subscribers(self, q=""):
        r = self.herald.get(f"/v1/pages/{self.page_id}/subscribers?q={urllib.parse.quote(q)}&limit=1000",
                            token=self.token)
        self.assertEqual(r.status, 200, r.text)
        return {s["email"] or s["phone_number"] or s["endpoint"]: s for s in r.json()}

    def subscriber_id(self, address):
        return self.api_subscribers(address)[address]["id"]

    def test_search_and_filters_find_the_right_rows(self):
        b = self.signed_in("viewer@example.com")
        r = b.get("/admin/subscribers?q=USER01")  # the search is by prefix and ignores case
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(addresses_on(r.text), [f"user{i:03d}@example.com" for i in range(10, 20) if i % 4])
        r = b.get("/admin/subscribers?channel=sms&q=%2B141555500")
        self.assertEqual(addresses_on(r.text), [f"+1415555{i:04d}" for i in range(0, 200, 4) if i < 100])
        r = b.get("/admin/subscribers?segment=enterprise&channel=email")
        self.assertEqual(addresses_on(r.text), [f"user{i:03d}@example.com" for i in range(10, 200, 20)])
        r = b.get("/admin/subscribers?state=pending")
        self.assertEqual(addresses_on(r.text), [])
        self.assertIn("No subscriber matches.", r.text)
        r = b.get("/admin/subscribers?channel=pigeon")
        self.assertEqual(r.status, 400)
        self.assertIn("Channel: choose one from the list.", r.text)
        # A viewer has no write controls.
        self.assertNotIn("Import CSV", b.get("/admin/subscribers").text)

    def test_next_page_links_never_repeat_or_skip(self):
        b = self.signed_in("viewer@example.com")
        seen, path, pages = [], "/admin/subscribers", 0
        while path:
            r = b.get(path)
            self.assertEqual(r.status, 200, r.text)
            seen += addresses_on(r.text)
            pages += 1
            m = re.search(r'<a class="button button--quiet" href="([^"]+)" rel="next">Next page</a>', r.text)
            path = m.group(1).replace("&amp;", "&") if m else None
            self.assertNotIn("OFFSET", path or "")
        everyone = self.api_subscribers()  # other tests may have added a few
        self.assertGreaterEqual(len(everyone), 190)
        self.assertEqual(pages, (len(everyone) + 49) // 50)  # 50 a page
        self.assertEqual(len(seen), len(set(seen)))
        self.assertEqual(set(seen), set(everyone))
        self.assertEqual(seen, sorted(seen, key=lambda a: a.encode()))  # byte order, as the index

    def quarantine(self, address):
        db = sqlite3.connect(self.herald.db.removeprefix("sqlite:"))
        with db:
            db.execute("UPDATE subscribers SET state = 'quarantined', last_error = 'HTTP 410' WHERE address = ?",
                       (address,))
        db.close()

    def test_one_subscriber_unquarantine_and_delete(self):
        address = "user001@example.com"
        self.quarantine(address)
        sid = self.subscriber_id(address)
        b = self.signed_in("responder@example.com")
        r = b.get("/admin/subscribers?state=quarantined")
        self.assertEqual(addresses_on(r.text), [address])
        r = b.get(f"/admin/subscribers/{sid}")
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("HTTP 410", r.text)
        self.assertIn("No message was sent to this subscriber yet.", r.text)
        self.assertIn(">Unquarantine</button>", r.text)
        r = b.post(f"/admin/subscribers/{sid}", {"csrf": b.csrf(r), "action": "unquarantine"})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"], f"/admin/subscribers/{sid}?done=unquarantined")
        self.assertEqual(self.api_subscribers(address)[address]["state"], "active")
        self.assertIn("The subscriber is active again.", b.get(r.headers["Location"]).text)
        # Delete asks first; the confirmation's button deletes.
        r = b.get(f"/admin/subscribers/{sid}?confirm=delete")
        self.assertIn("Yes, delete this subscriber", r.text)
        r = b.post(f"/admin/subscribers/{sid}", {"csrf": b.csrf(r), "action": "delete"})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"], "/admin/subscribers?done=deleted")
        self.assertNotIn(address, self.api_subscribers(address))
        self.assertEqual(b.get(f"/admin/subscribers/{sid}").status, 404)
        # The audit log has both, as the signed-in responder.
        log = self.herald.get("/v1/audit_log?target_type=subscriber", token=self.token).json()
        entries = log["entries"] if isinstance(log, dict) else log
        actions = [(e["action"], e["target_id"]) for e in entries]
        self.assertIn(("subscriber.update", sid), actions)
        self.assertIn(("subscriber.delete", sid), actions)

    def test_import_from_the_form_and_see_the_subscribers_in_the_api(self):
        b = self.signed_in()
        form = b.get("/admin/subscribers/import")
        self.assertEqual(form.status, 200, form.text)
        self.assertIn('enctype="multipart/form-data"', form.text)
        job = re.search(r'name="job" value="([0-9a-f]+)"', form.text).group(1)
        csv = (HEADER + "\r\nemail,Imported.One@Example.com,,de,Europe/Berlin,brief,vip,5\r\n"
               "sms,+14155559999,,,,,,\r\n").encode()
        r = b.upload("/admin/subscribers/import", {"csrf": b.csrf(form), "job": job},
                     {"file": ("new.csv", "text/csv", csv)})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Imported new.csv: 2 rows; 2 added, 0 updated, 0 unchanged.", r.text)
        subs = self.api_subscribers("imported.one")
        self.assertEqual(subs["imported.one@example.com"]["segment"], "vip")
        self.assertEqual(subs["imported.one@example.com"]["state"], "active")
        self.assertIn("+14155559999", self.api_subscribers("+14155559999"))
        # The progress endpoint knows the finished job (console-subscribers.js polls it).
        p = b.get(f"/admin/subscribers/import/progress?job={job}")
        self.assertEqual(p.status, 200)
        self.assertIn('"phase":"done"', p.text)
        self.assertIn(f'"total_bytes":{len(csv)}', p.text)

    def test_a_file_with_one_bad_row_writes_nothing_and_names_line_and_field(self):
        b = self.signed_in()
        form = b.get("/admin/subscribers/import")
        csv = (HEADER + "\nemail,good.one@example.com,,,,,,\nemail,good.two@example.com,,,,,,\n"
               "email,good.three@example.com,,,,,,not-a-number\n").encode()
        r = b.upload("/admin/subscribers/import", {"csrf": b.csrf(form), "job": "abc"},
                     {"file": ("bad.csv", "text/csv", csv)})
        self.assertEqual(r.status, 422, r.text)
        self.assertIn("1 of 3 rows in bad.csv are wrong, so nothing was imported.", r.text)
        self.assertRegex(r.text, r'<th scope="row">4</th><td data-label="Field">priority</td>')
        self.assertEqual(self.api_subscribers("good."), {})
        # No file chosen: the form again, with the message at the field.
        r = b.upload("/admin/subscribers/import", {"csrf": b.csrf(form)}, {"file": ("", "application/octet-stream",
                                                                                    b"")})
        self.assertEqual(r.status, 422)
        self.assertIn('aria-invalid="true" aria-describedby="import-file-error"', r.text)

    def test_export_has_the_rows(self):
        b = self.signed_in("responder@example.com")
        r = b.get("/admin/subscribers/export.csv")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.headers["Content-Type"].startswith("text/csv"))
        self.assertIn('attachment; filename="subscribers-acme.csv"', r.headers["Content-Disposition"])
        lines = r.text.splitlines()
        self.assertEqual(lines[0], HEADER)
        self.assertIn("email,user002@example.com,,en,,standard,,0", lines)
        # The same bytes as the API's export.
        api = self.herald.get(f"/v1/pages/{self.page_id}/subscribers/export.csv", token=self.token)
        self.assertEqual(r.text, api.text)
        r = b.get("/admin/subscribers/export.csv?segment=enterprise&channel=email")
        self.assertEqual(sorted(r.text.splitlines()[1:]),
                         [f"email,user{i:03d}@example.com,,en,,standard,enterprise,0" for i in range(10, 200, 20)])

    def test_viewer_is_refused_and_missing_csrf_changes_nothing(self):
        address = "user003@example.com"
        sid = self.subscriber_id(address)
        v = self.signed_in("viewer@example.com")
        page = v.get(f"/admin/subscribers/{sid}")
        self.assertEqual(page.status, 200)
        self.assertNotIn("Delete subscriber", page.text)
        r = v.post(f"/admin/subscribers/{sid}", {"csrf": v.csrf(page), "action": "delete"})
        self.assertEqual(r.status, 403)
        self.assertEqual(v.get("/admin/subscribers/import").status, 403)
        self.assertEqual(v.get("/admin/subscribers/export.csv").status, 403)
        r = v.upload("/admin/subscribers/import", {"csrf": v.csrf(page)},
                     {"file": ("x.csv", "text/csv", (HEADER + "\nemail,viewer.made@example.com,,,,,,\n").encode())})
        self.assertEqual(r.status, 403)
        a = self.signed_in()
        r = a.post(f"/admin/subscribers/{sid}", {"action": "delete"})
        self.assertEqual(r.status, 403)
        self.assertIn("nothing was changed", r.text)
        r = a.upload("/admin/subscribers/import", {},
                     {"file": ("x.csv", "text/csv", (HEADER + "\nemail,forged@example.com,,,,,,\n").encode())})
        self.assertEqual(r.status, 403)
        self.assertIn(address, self.api_subscribers(address))
        self.assertEqual(self.api_subscribers("viewer.made"), {})
        self.assertEqual(self.api_subscribers("forged"), {})


if __name__ == "__main__":
    main()
