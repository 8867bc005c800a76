"""The console's dashboard and monitors screens in a real headless Chromium (base:
console_browser.py): the dashboard updates live when an incident is opened through the API (no
reload: a marker set on the window survives, and the live region says what changed), and
axe-core, CSP and no sideways scrolling at 1280 and 390 px on the dashboard, the monitors list, a
monitor, the monitor form empty and with errors, alert targets and automation rules."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from console_browser import ConsoleBrowserCase  # noqa: E402
from harness import main  # noqa: E402


def in_minutes(n):
    at = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=n)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class DashboardBrowser(ConsoleBrowserCase):
    def api(self, method, path, body=None):
        if not hasattr(self, "token"):
            type(self).token = self.herald.token("admin")
            pages = self.herald.get("/v1/pages", token=self.token).json()
            type(self).page_id = next(p for p in pages if p.get("is_default", True))["id"]
        r = self.herald.request(method, f"/v1/pages/{self.page_id}{path}", body, token=self.token)
        self.assertLess(r.status, 300, r.body)
        return r.json() if r.body else None

    def test_1_dashboard_updates_live(self):
        self.sign_in("responder@example.com")
        self.assertIn("Open incidents", self.b.text())
        self.check_screen("dashboard")
        self.b.js("window.__same_page = true")
        self.wait_for("document.getElementById('dashboard').getAttribute('data-live') === 'connected'",
                      "the event stream")
        self.api("POST", "/incidents", {"incident": {
            "name": "Card payments failing", "status": "investigating", "impact": "major",
            "body": "Looking into it.", "next_update_at": in_minutes(30)}})
        self.wait_for("document.getElementById('dashboard').textContent.indexOf('Card payments failing') >= 0",
                      "the new incident on the dashboard")
        self.assertTrue(self.b.js("return window.__same_page === true"), "the page was not reloaded")
        self.wait_for("document.getElementById('dashboard-live').textContent.indexOf('Dashboard updated') >= 0",
                      "the live region's announcement")
        self.assertIn("next update due in 30 min", self.b.text())  # overdue ones: screen_home_test.cc (fake clock)
        self.check_screen("dashboard-live")

    def test_2_monitor_screens(self):
        self.sign_in("admin@example.com")
        self.b.get(self.herald.url + "/admin/monitors")
        self.assertIn("Response time, 24 h", self.b.text())
        self.check_screen("monitors")
        self.b.get(self.herald.url + "/admin/monitors/new")
        self.check_screen("monitor-kind")
        self.b.click(self.button("Continue"))
        self.wait_for("document.getElementById('f-name') !== null", "the HTTP form")
        self.check_screen("monitor-form")
        self.type_into("Name", "Broken")
        self.type_into("URL", "not a url")
        self.b.click(self.button("Add monitor"))
        self.wait_for("document.querySelector('[role=alert]') !== null", "the error summary")
        self.assertEqual(self.b.js("return document.getElementById('f-target').getAttribute('aria-invalid')"), "true")
        self.check_screen("monitor-form-errors")
        monitors = self.api("GET", "/monitors")
        self.b.get(self.herald.url + "/admin/monitors/" + monitors[0]["id"])
        self.assertIn("Settings", self.b.text())
        self.check_screen("monitor")

    def test_3_alert_targets_and_automation(self):
        self.sign_in("admin@example.com")
        self.b.get(self.herald.url + "/admin/alerts")
        self.check_screen("alerts-empty")
        self.type_into("Name", "On-call")
        self.type_into("Address", "oncall@example.com")
        self.b.click(self.button("Add alert target"))
        self.wait_for("document.body.textContent.indexOf('was added') >= 0", "the new target")
        self.check_screen("alerts")
        self.b.get(self.herald.url + "/admin/automation")
        self.check_screen("automation")
        components = [c for c in self.api("GET", "/components") if not c.get("group")]
        self.b.get(self.herald.url + "/admin/automation/" + components[0]["id"])
        self.check_screen("automation-rule")

    def test_4_viewer_sees_no_write_controls(self):
        self.sign_in("viewer@example.com")
        monitors = self.api("GET", "/monitors")
        self.b.get(self.herald.url + "/admin/monitors/" + monitors[0]["id"])
        self.assertNotIn("Pause checks", self.b.text())
        self.check_screen("monitor-viewer")


if __name__ == "__main__":
    main()
