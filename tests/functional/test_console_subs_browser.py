"""The Subscribers, Settings and API keys screens in headless Chromium (console_browser.py): an
import of 30,000 rows from the upload form with the progress bar visible and moving, then the
result; axe-core, CSP and no sideways scroll at 1280 and 390 px on each screen and state: the
subscriber list empty and with data, one subscriber, the import form, its result and a refused
file, settings (and with an error), API keys (and with the just-created secret shown)."""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from console_browser import ConsoleBrowserCase  # noqa: E402
import test_browser as tb  # noqa: E402
from harness import main  # noqa: E402
from test_console_subscribers import CHANNELS, HEADER  # noqa: E402


class SubscribersBrowser(ConsoleBrowserCase):
    @classmethod
    def setUpClass(cls):
        # Email and SMS channels configured (nothing is sent: imports send nothing).
        cls.saved_env = {k: os.environ.get(k) for k in CHANNELS}
        os.environ.update(CHANNELS)
        try:
            super().setUpClass()
        finally:
            for k, v in cls.saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        cls.tmp = tempfile.mkdtemp(prefix="herald-subs-browser-")

    def open(self, path):
        self.b.get(self.herald.url + path)
        self.wait_for("document.readyState === 'complete'", path)

    def upload(self, rows, name):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEADER + "\n" + "".join(r + "\n" for r in rows))
        self.b.cmd("POST", f"/element/{self.field_by_label('CSV file')}/value", {"text": path})

    def test_1_import_with_progress_then_browse(self):
        self.sign_in("admin@example.com")
        self.open("/admin/subscribers?q=nobody-has-this-address")
        self.assertIn("No subscriber matches.", self.b.text())
        self.check_screen("subscribers-empty")

        self.open("/admin/subscribers/import")
        self.check_screen("subscribers-import")
        self.upload([f"email,bulk{i:05d}@example.com,,,,,{'gold' if i % 7 == 0 else ''}," for i in range(30000)],
                    "bulk.csv")
        self.b.click(self.button("Import"))
        # Watch the bar while the upload, the check and the import run.
        seen, deadline = [], time.time() + 120
        while time.time() < deadline:
            state = self.b.js(
                "var box = document.getElementById('import-progress');"
                "var bar = document.getElementById('import-bar');"
                "var status = document.getElementById('import-status');"
                "var h1 = document.querySelector('main h1');"
                "return [box ? !box.hidden : false, bar ? bar.value : -1, status ? status.textContent : '',"
                "        h1 ? h1.textContent : ''];")
            seen.append(state)
            if state[3] == "Import finished":
                break
            time.sleep(0.02)
        self.assertEqual(seen[-1][3], "Import finished", seen[-5:])
        shown = [s for s in seen if s[0] and s[1] > 0]
        self.assertTrue(shown, f"the progress bar was never visible with progress: {seen[:5]}")
        self.assertTrue(any(s[1] < 100 for s in shown), "the bar never showed a step before 100 %")
        self.assertIn("30000 rows; 30000 added", self.b.text())
        self.check_screen("subscribers-import-result")

        self.open("/admin/subscribers?q=bulk0")
        self.assertIn("bulk00000@example.com", self.b.text())
        self.assertIn("Next page", self.b.text())
        self.check_screen("subscribers-list")
        self.open("/admin/subscribers?segment=gold&q=bulk000")
        self.assertIn("bulk00007@example.com", self.b.text())
        link = self.b.js("return Array.from(document.querySelectorAll('main table a'))"
                         ".find(function (a) { return a.textContent === 'bulk00007@example.com'; }).href")
        self.b.get(link)
        self.wait_for("document.querySelector('main h1').textContent.indexOf('bulk00007') >= 0", "one subscriber")
        self.check_screen("subscriber")
        self.b.get(link + "?confirm=delete")
        self.check_screen("subscriber-confirm-delete")

        # A file with a bad row: refused, nothing written, each row named.
        self.open("/admin/subscribers/import")
        self.upload(["email,fine@example.com,,,,,,", "email,not-an-address,,,,,,", "fax,123,,,,,,"], "bad.csv")
        self.b.click(self.button("Import"))
        self.wait_for("document.querySelector('main h1').textContent === 'Import refused'", "the refusal")
        self.assertIn("2 of 3 rows in bad.csv are wrong, so nothing was imported.", self.b.text())
        self.check_screen("subscribers-import-refused")

    def test_2_settings_and_api_keys(self):
        self.sign_in("admin@example.com")
        self.open("/admin/settings")
        self.check_screen("settings")
        field = self.field_by_label("Accent colour")
        self.b.cmd("POST", f"/element/{field}/clear", {})
        self.type_into("Accent colour", "teal")
        self.b.click(self.button("Save settings"))
        self.wait_for("!!document.getElementById('settings-error')", "the error")
        self.assertEqual(self.b.js("return document.getElementById('set-accent').getAttribute('aria-invalid')"),
                         "true")
        self.check_screen("settings-error")

        self.open("/admin/api-keys")
        self.check_screen("api-keys")
        self.type_into("Key name", "Deploy bot")
        self.b.click(self.button("Create key"))
        self.wait_for("!!document.getElementById('key-secret')", "the new key's secret")
        secret = self.b.js("return document.getElementById('key-secret').value")
        self.assertTrue(re.fullmatch(r"hrld_[0-9a-f]{64}", secret), secret)
        self.check_screen("api-keys-created")
        self.b.click(self.b.js("return Array.from(document.querySelectorAll('main a'))"
                               ".find(function (a) { return a.textContent === 'Revoke Deploy bot'; })")[tb.ELEMENT])
        self.wait_for("!!Array.from(document.querySelectorAll('button')).find(function (b) {"
                      " return b.textContent === 'Yes, revoke Deploy bot'; })", "the confirmation")
        self.check_screen("api-keys-confirm-revoke")


if __name__ == "__main__":
    main()
