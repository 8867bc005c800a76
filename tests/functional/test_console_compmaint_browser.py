"""The console's components, maintenance and audit log screens in a real headless Chromium (base:
console_browser.py, the demo page in Europe/Berlin): a responder sets a component's status with
the keyboard, finding the list by its label "Status of <name>"; an admin schedules maintenance
through the form found by its labels (first with errors, then right), sees it on its day in the
month view, and reads the audit log. axe-core, no sideways scrolling and the CSP at 1280 and
390 px on every screen and state: components, component edit and delete confirmation, the
maintenance list, form with errors, one maintenance, month view, the audit log."""
import datetime
import os
import sys
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
import test_browser as tb  # noqa: E402
from console_browser import ConsoleBrowserCase  # noqa: E402
from harness import main  # noqa: E402

ENTER = "\ue007"


class ComponentsMaintenanceBrowser(ConsoleBrowserCase):
    def press(self, element, keys):
        self.b.cmd("POST", f"/element/{element}/value", {"text": keys})

    def button_in_form_of(self, element):
        found = self.b.js("return arguments[0].form.querySelector('button[type=submit]')", {tb.ELEMENT: element})
        self.assertTrue(found)
        return found[tb.ELEMENT]

    def test_1_components_status_by_keyboard_and_labels(self):
        self.sign_in("responder@example.com")
        self.b.get(self.herald.url + "/admin/components")
        self.assertIn("Webhooks", self.b.text())
        self.check_screen("components-responder")
        select = self.field_by_label("Status of Webhooks")
        row = self.b.js("return arguments[0].id", {tb.ELEMENT: select}).replace("status-", "row-")
        # Keyboard only: focus the list, type the option, Tab to "Set" and press Enter.
        self.b.js("arguments[0].focus()", {tb.ELEMENT: select})
        self.press(select, "Major")
        self.assertEqual(self.b.js("return arguments[0].value", {tb.ELEMENT: select}), "major_outage")
        self.press(self.button_in_form_of(select), ENTER)
        self.wait_for("document.querySelector('[role=status]') !== null", "the confirmation")
        self.assertIn("Set Webhooks to Major outage.", self.b.text())
        self.wait_for(f"location.hash === '#{row}'", "the row the status was set in")
        self.check_screen("components-set")
        self.herald.wait_for(lambda: {c["id"]: c["status"] for c in self.herald.get("/api/v2/summary.json").json()
                                      ["components"]}.get(row[4:]) == "major_outage", what="the public status")

    def test_2_component_edit_and_delete_confirmation(self):
        self.sign_in("admin@example.com")
        self.b.get(self.herald.url + "/admin/components")
        self.check_screen("components")
        self.b.click(self.b.js("return Array.from(document.querySelectorAll('main a')).find(function (a) {"
                               " return a.textContent === 'Invoices'; })")[tb.ELEMENT])
        self.wait_for("document.getElementById('edit-name') !== null", "the edit form")
        edit_url = self.b.js("return location.href")
        self.assertEqual(self.b.js("return document.getElementById('edit-name').value"), "Invoices")
        self.check_screen("component-edit")
        self.b.js("document.getElementById('edit-name').value = ''")
        self.b.click(self.button("Save"))
        self.wait_for("document.querySelector('[role=alert]') !== null", "the error")
        self.check_screen("component-edit-errors")
        self.b.get(edit_url + "&confirm=delete")
        self.assertIn("Delete Invoices?", self.b.text())
        self.check_screen("component-delete")

    def test_3_schedule_maintenance_through_the_form(self):
        self.sign_in("admin@example.com")
        self.b.get(self.herald.url + "/admin/maintenance")
        self.assertIn("Upcoming", self.b.text())
        self.check_screen("maintenance-list")
        self.b.get(self.herald.url + "/admin/maintenance/new")
        self.check_screen("maintenance-form")
        # Nothing filled in: the errors, each next to its field and in the summary.
        self.b.click(self.button("Schedule maintenance"))
        self.wait_for("document.querySelector('[role=alert]') !== null", "the errors")
        self.assertIn("Give the maintenance a title.", self.b.text())
        self.assertEqual(self.b.js("return document.getElementById('m-start').getAttribute('aria-invalid')"), "true")
        self.check_screen("maintenance-form-errors")
        # Now right: a window in five days, 22:00 to 23:30 Berlin time.
        day = (datetime.datetime.now(ZoneInfo("Europe/Berlin")) + datetime.timedelta(days=5)).date()
        self.type_into("Title", "Storage migration")
        self.type_into("Message", "Uploads pause for up to 90 minutes.")
        for label, hhmm in (("Start", "22:00"), ("End", "23:30")):
            field = self.field_by_label(label)
            # A datetime-local field takes its value as typed in the field's own order; set the
            # value the form submits (the same string any browser sends) instead.
            self.b.js("arguments[0].value = arguments[1]", {tb.ELEMENT: field}, f"{day.isoformat()}T{hhmm}")
        box = self.b.js("return document.getElementById(Array.from(document.querySelectorAll('label')).find("
                        "function (l) { return l.textContent.indexOf('Webhooks') === 0; }).htmlFor)")
        self.b.click(box[tb.ELEMENT])
        self.b.click(self.button("Schedule maintenance"))
        self.wait_for("document.querySelector('[role=status]') !== null", "the confirmation")
        self.assertIn("Scheduled Storage migration.", self.b.text())
        self.assertIn(day.strftime("%d %b %Y") + ", 22:00", self.b.text())
        self.check_screen("maintenance-one")
        self.b.get(self.herald.url + "/admin/maintenance?view=month&month=" + day.strftime("%Y-%m"))
        full = f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"
        cell = self.b.js("var want = arguments[0];"
                         "return Array.from(document.querySelectorAll('.calendar td')).find(function (td) {"
                         " return td.textContent.indexOf(want) >= 0; }).textContent", full)
        self.assertIn("Storage migration", cell)
        self.check_screen("maintenance-month")
        self.b.get(self.herald.url + "/admin/maintenance")
        self.b.click(self.b.js("return Array.from(document.querySelectorAll('a')).find(function (a) {"
                               " return a.textContent === 'Storage migration'; })")[tb.ELEMENT])
        self.wait_for("location.pathname.indexOf('/admin/maintenance/') === 0", "the maintenance")
        self.b.get(self.b.js("return location.href") + "&confirm=cancel")
        self.check_screen("maintenance-cancel")

    def test_4_audit_log(self):
        self.sign_in("admin@example.com")
        self.b.get(self.herald.url + "/admin/audit")
        self.assertIn("Entries, newest first", self.b.text())
        self.check_screen("audit")
        self.type_into("Action starts with", "component.")
        self.b.click(self.button("Filter"))
        self.wait_for("location.search.indexOf('action=component.') >= 0", "the filter")
        self.check_screen("audit-filtered")


if __name__ == "__main__":
    main()
