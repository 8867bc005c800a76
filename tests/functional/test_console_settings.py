"""The console's Settings and API keys screens with the real binary, over HTTP as a browser without
JavaScript would (test_console_auth.py's cookie-keeping client):

- renaming the page (and its accent colour, zone, domain) shows on the public page; a bad field
  is refused with a message at the field and changes nothing; the audit log has the before/after;
- an API key created on the screen works on /v1 with its role, its secret is shown once, and
  once revoked (after a confirmation) it stops working;
- a non-admin gets 403, a POST without the CSRF token changes nothing.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import main  # noqa: E402
from test_console_auth import Browser  # noqa: E402
from test_console_subscribers import ConsoleScreenCase  # noqa: E402


class ConsoleSettingsTest(ConsoleScreenCase):
    @classmethod
    def setUpClass(cls):
        cls.start_server(("admin", "responder"))

    def page(self):
        return self.herald.get(f"/v1/pages/{self.page_id}", token=self.token).json()

    def settings_fields(self, page, **changes):
        fields = {"csrf": Browser.csrf(page), "page": self.page_id}
        for name in ("name", "accent_color", "url", "hostname"):
            m = re.search(rf'name="{name}" type="[a-z]+" value="([^"]*)"', page.text)
            fields[name] = m.group(1) if m else ""
        fields["time_zone"] = re.search(r"<option selected>([^<]+)</option>", page.text).group(1)
        fields.update(changes)
        return fields

    def test_rename_the_page_and_see_it_on_the_public_page(self):
        b = self.signed_in()
        form = b.get("/admin/settings")
        self.assertEqual(form.status, 200, form.text)
        self.assertIn('<label for="set-zone">Time zone</label>', form.text)
        self.assertIn("<option>Europe/Berlin</option>", form.text)
        self.assertIn('href="/admin/team"', form.text)
        r = b.post("/admin/settings", self.settings_fields(form, name="Acme Cloud", accent_color="#0f766e",
                                                           time_zone="Europe/Berlin",
                                                           hostname="Status.Acme.Example"))
        self.assertEqual(r.status, 303, r.text)
        self.assertIn("done=saved", r.headers["Location"])
        p = self.page()
        self.assertEqual((p["name"], p["time_zone"], p["domain"] if "domain" in p else p.get("hostname")),
                         ("Acme Cloud", "Europe/Berlin", "status.acme.example"))
        self.herald.wait_for(lambda: "Acme Cloud" in self.herald.get("/").text, what="new name on the public page")
        self.assertIn("Saved.", b.get(r.headers["Location"]).text)
        entries = self.herald.get("/v1/audit_log?action=page.update", token=self.token).json()
        entries = entries["entries"] if isinstance(entries, dict) else entries
        changes = [c for e in entries if e["action"] == "page.update" for c in (e.get("changes") or [])]
        self.assertIn({"field": "name", "before": "Acme", "after": "Acme Cloud"}, changes)

    def test_a_bad_field_is_named_and_changes_nothing(self):
        b = self.signed_in()
        before = self.page()
        form = b.get("/admin/settings")
        for field, value, message in (("accent_color", "blue", "accent_color must be #rgb or #rrggbb"),
                                      ("hostname", "not a host!", "hostname must be a lower-case DNS name"),
                                      ("time_zone", "Mars/Olympus", "time_zone must be an IANA time zone"),
                                      ("name", "", "name")):
            r = b.post("/admin/settings", self.settings_fields(form, **{field: value}))
            self.assertEqual(r.status, 422, (field, r.text))
            self.assertIn('role="alert" id="settings-error"', r.text)
            self.assertIn(message, r.text)
            self.assertRegex(r.text, rf'name="{field}"[^>]*aria-invalid="true"')
            self.assertEqual(self.page(), before)

    def test_create_use_and_revoke_an_api_key(self):
        b = self.signed_in()
        page = b.get("/admin/api-keys")
        self.assertEqual(page.status, 200, page.text)
        r = b.post("/admin/api-keys", {"csrf": b.csrf(page), "action": "create", "name": "deploy bot",
                                       "role": "responder"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.getheader("Referrer-Policy"), "no-referrer")
        secret = re.search(r'id="key-secret" class="copy-field" type="text" readonly value="([^"]+)"', r.text).group(1)
        self.assertIn("shown only this once", r.text)
        # It works with its role: a responder may read, not manage settings.
        self.assertEqual(self.herald.get(f"/v1/pages/{self.page_id}/components", token=secret).status, 200)
        self.assertEqual(self.herald.request("PATCH", f"/v1/pages/{self.page_id}", {"page": {"name": "x"}},
                                             token=secret).status, 403)
        # Shown once: the list has the name, never the secret.
        listing = b.get("/admin/api-keys")
        self.assertIn("deploy bot", listing.text)
        self.assertNotIn(secret, listing.text)
        key_id = re.search(r'href="/admin/api-keys\?confirm=([^"]+)">Revoke<span class="visually-hidden"> deploy bot',
                           listing.text).group(1)
        confirm = b.get(f"/admin/api-keys?confirm={key_id}")
        self.assertIn("Yes, revoke deploy bot", confirm.text)
        r = b.post("/admin/api-keys", {"csrf": b.csrf(confirm), "action": "revoke", "id": key_id})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.herald.get(f"/v1/pages/{self.page_id}/components", token=secret).status, 401)
        self.assertNotIn("deploy bot", b.get("/admin/api-keys").text)
        entries = self.herald.get("/v1/audit_log?target_type=api_key", token=self.token).json()
        entries = entries["entries"] if isinstance(entries, dict) else entries
        actions = {(e["action"], e["target_id"]) for e in entries}
        self.assertIn(("api_key.create", key_id), actions)
        self.assertIn(("api_key.revoke", key_id), actions)
        # A key without a name is refused, naming the field; nothing is created.
        r = b.post("/admin/api-keys", {"csrf": b.csrf(confirm), "action": "create", "name": " ", "role": "viewer"})
        self.assertEqual(r.status, 422)
        self.assertIn("Name: name must not be empty", r.text)
        self.assertIn('aria-invalid="true"', r.text)

    def test_non_admin_and_missing_csrf_change_nothing(self):
        before = self.page()
        keys_before = self.herald.cli("token", "list").stdout
        responder = self.signed_in("responder@example.com")
        home = responder.get("/admin")
        self.assertEqual(responder.get("/admin/settings").status, 403)
        self.assertEqual(responder.get("/admin/api-keys").status, 403)
        r = responder.post("/admin/settings", {"csrf": responder.csrf(home), "name": "Hijacked"})
        self.assertEqual(r.status, 403)
        r = responder.post("/admin/api-keys", {"csrf": responder.csrf(home), "action": "create", "name": "mine",
                                               "role": "admin"})
        self.assertEqual(r.status, 403)
        admin = self.signed_in()
        r = admin.post("/admin/settings", {"page": self.page_id, "name": "No token"})
        self.assertEqual(r.status, 403)
        r = admin.post("/admin/api-keys", {"action": "create", "name": "no token", "role": "admin"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.page(), before)
        self.assertEqual(self.herald.cli("token", "list").stdout, keys_before)


if __name__ == "__main__":
    main()
