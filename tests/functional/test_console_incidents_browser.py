"""The incident screens in a real headless Chromium (base: console_browser.py) over the demo data:
the composer found by its labels, the live preview appearing while typing, publishing an incident
with two components and finding it on the public page within a second, updating and resolving it
from its page; the templates screen. check_screen (axe-core at 1280 and 390 px, no sideways
scroll, no CSP violation, screenshots with HERALD_SCREENSHOT_DIR) on every screen and state: the
list, the composer empty, with errors and with its preview, the incident page, the templates."""
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import test_browser as tb  # noqa: E402
from console_browser import ConsoleBrowserCase  # noqa: E402
from harness import main  # noqa: E402

SET_SELECT = """
var el = arguments[0], value = arguments[1];
el.value = value;
el.dispatchEvent(new Event('change', {bubbles: true}));
"""


class ConsoleIncidentsBrowser(ConsoleBrowserCase):
    def public_incidents(self):
        with urllib.request.urlopen(self.herald.url + "/api/v2/incidents.json", timeout=5) as r:
            return json.loads(r.read())["incidents"]

    def choose(self, label, value):
        self.b.js(SET_SELECT, {tb.ELEMENT: self.field_by_label(label)}, value)

    def click_link(self, text):
        href = self.b.js("var t = arguments[0]; var a = Array.from(document.querySelectorAll('a')).find("
                         "function (x) { return x.textContent.trim() === t; }); return a ? a.href : null;", text)
        self.assertTrue(href, f"no link {text!r}")
        self.b.get(href)

    def test_1_compose_preview_publish_update_resolve(self):
        self.sign_in("responder@example.com")
        self.b.get(self.herald.url + "/admin/incidents")
        self.assertIn("Open incidents", self.b.text())
        self.check_screen("incidents")
        self.click_link("New incident")
        self.wait_for("location.pathname === '/admin/incidents/new'", "the composer")
        self.check_screen("incident-new")
        # Publishing an empty form: errors next to the fields and in the summary.
        self.b.click(self.button("Publish"))
        self.wait_for("document.querySelector('[role=alert]') !== null", "the error summary")
        self.assertIn("Give the incident a title.", self.b.text())
        self.check_screen("incident-new-errors")
        components = self.b.js("return Array.from(document.querySelectorAll('select[name^=component_]'))"
                               ".map(function (s) { return document.querySelector('label[for=\"' + s.id + '\"]')"
                               ".textContent.trim(); })")
        self.assertGreaterEqual(len(components), 2, components)
        self.type_into("Title", "Checkout is failing")
        self.choose(components[0], "major_outage")
        self.choose(components[1], "partial_outage")
        self.type_into("What you can do", "Retry in a few minutes.")
        self.type_into("In minutes", "30")
        # The live preview appears while typing (no button pressed).
        self.type_into("Message", "Card payments fail for some customers.")
        self.wait_for("document.querySelector('#live-preview .preview-card') !== null && "
                      "document.getElementById('live-preview').textContent.indexOf('Card payments fail') >= 0",
                      "the live preview")
        self.assertIn("SMS", self.b.text())
        self.assertEqual(self.b.js("return document.getElementById('live-preview').getAttribute('aria-live')"),
                         "polite")
        # Every channel's message open, so that axe checks them too.
        self.b.js("document.querySelectorAll('#live-preview details').forEach(function (d) { d.open = true; })")
        self.check_screen("incident-new-preview")
        self.b.click(self.button("Publish"))
        published = time.time()
        self.wait_for("location.pathname.indexOf('/admin/incidents/') === 0 && "
                      "location.pathname !== '/admin/incidents/new'", "the incident page")
        incident_id = self.b.js("return location.pathname.split('/')[3]")
        found = None
        while time.time() - published < 1.0 and not found:
            found = next((i for i in self.public_incidents() if i["id"] == incident_id), None)
            time.sleep(0.05)
        self.assertTrue(found, "not on the public page within a second")
        self.assertEqual(len(found["components"]), 2)
        self.assertIn("due in 30 min", self.b.text())
        self.check_screen("incident")
        # Post an update from the page, then resolve.
        self.type_into("Message", "We rolled back the release.")
        self.choose("Status", "monitoring")
        self.b.click(self.button("Post update"))
        self.wait_for("location.search.indexOf('done=updated') >= 0", "the update")
        self.assertIn("We rolled back the release.", self.b.text())
        self.type_into("Resolution message", "Payments work again.")
        self.b.click(self.button("Resolve incident"))
        self.wait_for("location.search.indexOf('done=resolved') >= 0", "the resolution")
        self.check_screen("incident-resolved")
        self.assertEqual(next(i for i in self.public_incidents() if i["id"] == incident_id)["status"], "resolved")

    def test_2_templates(self):
        self.sign_in("responder@example.com")
        self.b.get(self.herald.url + "/admin/incident-templates")
        self.check_screen("incident-templates-empty")
        self.type_into("Template name", "Payment provider down")
        self.type_into("Group", "Payments")
        self.type_into("Incident title", "Payments are failing")
        self.type_into("Message", "Our payment provider has an outage.")
        self.b.click(self.button("Create template"))
        self.wait_for("location.search.indexOf('done=created') >= 0", "the new template")
        self.check_screen("incident-templates")
        self.click_link("Payment provider down")
        self.wait_for("document.querySelector('h1').textContent.indexOf('Payment provider down') >= 0",
                      "the template's page")
        self.check_screen("incident-template")
        # The composer starts from it (without JavaScript: a GET form).
        self.b.get(self.herald.url + "/admin/incidents/new")
        self.b.click(self.button("Use template"))
        self.wait_for("location.search.indexOf('template=') >= 0", "the composer from the template")
        self.assertEqual(self.b.js("return document.getElementById('composer-title').value"), "Payments are failing")

    def test_3_a_viewer_sees_no_forms(self):
        self.sign_in("viewer@example.com")
        self.b.get(self.herald.url + "/admin/incidents")
        self.assertNotIn("New incident", self.b.text())
        href = self.b.js("var a = document.querySelector('.incident-list a, .table a'); return a ? a.href : null")
        self.assertTrue(href)
        self.b.get(href)
        self.assertEqual(self.b.js("return document.querySelectorAll('main form').length"), 0)
        self.check_screen("incident-viewer")


if __name__ == "__main__":
    main()
