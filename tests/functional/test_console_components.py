"""The console's components screen with the real binary, over HTTP as a browser without scripts
would use it (console_client.py): a responder sets a component's status in one action and the
public summary.json shows it; an admin adds, renames, regroups, reorders (Move up / Move down, the
order the public page shows), hides and shows, and deletes after a confirmation step; groups are
made, renamed and deleted (their members stay, ungrouped). Refusals: a responder cannot change
the structure (403), a viewer cannot post at all, a POST without the CSRF token changes nothing,
and bad input (an empty name) names the field and changes nothing. Every write is in the audit
log as the console's user with the API's action names."""
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from console_client import Console, server_with_page  # noqa: E402
from harness import main  # noqa: E402


class ConsoleComponents(unittest.TestCase):
    maxDiff = 2000

    @classmethod
    def setUpClass(cls):
        cls.h, cls.admin_key, cls.pid = server_with_page()
        cls.core = cls.api("component-groups", {"component_group": {"name": "Core"}})["id"]
        cls.api_id = cls.api("components", {"component": {"name": "API", "group_id": cls.core}})["id"]
        cls.auth_id = cls.api("components", {"component": {"name": "Auth", "group_id": cls.core}})["id"]
        cls.web = cls.api("components", {"component": {"name": "Web"}})["id"]

    @classmethod
    def tearDownClass(cls):
        cls.h.cleanup()

    @classmethod
    def api(cls, path, body):
        r = cls.h.request("POST", f"/v1/pages/{cls.pid}/{path}", body, token=cls.admin_key)
        assert r.status == 201, r.body
        return r.json()

    def components(self):
        """The page's components and groups, by id, as the API has them."""
        out = {}
        for path in ("components", "component-groups"):
            r = self.h.get(f"/v1/pages/{self.pid}/{path}", token=self.admin_key)
            self.assertEqual(r.status, 200)
            out.update({c["id"]: c for c in r.json()})
        return out

    def public(self):
        return {c["id"]: c for c in self.h.get("/api/v2/summary.json").json()["components"]}

    def audit(self, **query):
        r = self.h.get("/v1/audit_log?" + urllib.parse.urlencode(query), token=self.admin_key)
        self.assertEqual(r.status, 200, r.body)
        return r.json()["entries"]

    def test_a_responder_sets_a_status_in_one_action_and_the_public_page_shows_it(self):
        c = Console(self.h, "responder@example.com")
        page = c.page("/admin/components")
        self.assertIn(f'<label class="visually-hidden" for="status-{self.web}">Status of Web</label>', page.text)
        self.assertNotIn("Add component", page.text, "a responder does not restructure")
        self.assertNotIn("Move up", page.text)
        r = c.submit("/admin/components", {"page": self.pid, "action": "status", "id": self.web,
                                           "status": "partial_outage"})
        self.assertEqual(r.status, 303, r.text)
        self.assertIn(f"#row-{self.web}", r.headers["Location"])
        done = c.follow(r)
        self.assertIn("Set Web to Partial outage.", done.text)
        self.h.wait_for(lambda: self.public()[self.web]["status"] == "partial_outage", what="the public status")
        entry = self.audit(action="component.update", target_id=self.web, target_type="component")[0]
        self.assertTrue(entry["actor"].startswith("user:"), entry)
        self.assertEqual(entry["actor_name"], "responder@example.com")
        self.assertEqual(entry["page_id"], self.pid)
        self.assertEqual(entry["changes"], [{"field": "status", "before": "operational", "after": "partial_outage"}])
        # Back to operational, for the other tests.
        c.submit("/admin/components", {"page": self.pid, "action": "status", "id": self.web, "status": "operational"})
        self.h.wait_for(lambda: self.public()[self.web]["status"] == "operational", what="operational again")

    def test_a_status_set_under_an_open_incident_says_what_the_component_shows(self):
        r = self.h.request("POST", f"/v1/pages/{self.pid}/incidents",
                           {"incident": {"name": "Auth down", "status": "investigating",
                                         "components": {self.auth_id: "major_outage"}}}, token=self.admin_key)
        self.assertEqual(r.status, 201, r.body)
        incident = r.json()["id"]
        try:
            c = Console(self.h, "responder@example.com")
            c.page("/admin/components")
            r = c.submit("/admin/components", {"page": self.pid, "action": "status", "id": self.auth_id,
                                               "status": "operational"})
            self.assertIn("Set Auth to Operational. It shows Major outage while an open incident or maintenance "
                          "holds it there.", c.follow(r).text)
            self.assertEqual(self.components()[self.auth_id]["status"], "major_outage")
        finally:
            r = self.h.request("PATCH", f"/v1/pages/{self.pid}/incidents/{incident}",
                               {"incident": {"status": "resolved", "body": "Fixed."}}, token=self.admin_key)
            self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.components()[self.auth_id]["status"], "operational")

    def test_an_admin_adds_renames_regroups_reorders_hides_and_deletes(self):
        c = Console(self.h, "admin@example.com")
        c.page("/admin/components")
        r = c.submit("/admin/components", {"page": self.pid, "action": "add", "name": "Search",
                                           "description": "Full-text search", "group_id": ""})
        self.assertEqual(r.status, 303, r.text)
        new_id = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"]).query)["c"][0]
        self.assertIn("Added Search.", c.follow(r).text)
        made = self.components()[new_id]
        self.assertEqual((made["name"], made["description"], made["group_id"]), ("Search", "Full-text search", None))
        self.assertEqual(self.audit(action="component.create", target_id=new_id, target_type="component")[0]
                         ["actor_name"], "admin@example.com")

        # Rename it and put it into the Core group, on its own page.
        edit = c.page(f"/admin/components/{new_id}")
        self.assertIn('<label for="edit-name">Name</label>', edit.text)
        r = c.submit(f"/admin/components/{new_id}", {"page": self.pid, "action": "save", "name": "Site search",
                                                    "description": "Full-text search", "group_id": self.core})
        self.assertIn("Saved Site search.", c.follow(r).text)
        made = self.components()[new_id]
        self.assertEqual((made["name"], made["group_id"]), ("Site search", self.core))
        entry = self.audit(action="component.update", target_id=new_id, target_type="component")[0]
        self.assertIn({"field": "name", "before": "Search", "after": "Site search"}, entry["changes"])

        # Move it up within its group: API, Auth, Site search -> API, Site search, Auth.
        def members():
            comps = self.components()
            return [m for m in sorted((x for x in comps.values() if x["group_id"] == self.core),
                                      key=lambda x: x["position"])]
        self.assertEqual([m["name"] for m in members()], ["API", "Auth", "Site search"])
        r = c.submit("/admin/components", {"page": self.pid, "action": "move", "direction": "up", "id": new_id})
        self.assertIn("Moved Site search.", c.follow(r).text)
        self.assertEqual([m["name"] for m in members()], ["API", "Site search", "Auth"])
        # The public page has the same order, and so does the console's list.
        self.h.wait_for(lambda: [x["name"] for x in sorted(self.public().values(), key=lambda x: x["position"])
                                 if x["group_id"] == self.core] == ["API", "Site search", "Auth"],
                        what="the public order")
        text = c.page("/admin/components").text
        self.assertLess(text.index(">Site search<"), text.index(">Auth<"))
        # The top level moves as a whole: Web above the Core group.
        r = c.submit("/admin/components", {"page": self.pid, "action": "move", "direction": "up", "id": self.web})
        c.follow(r)
        comps = self.components()
        self.assertLess(comps[self.web]["position"], comps[self.core]["position"])
        r = c.submit("/admin/components", {"page": self.pid, "action": "move", "direction": "down", "id": self.web})
        comps = self.components()
        self.assertGreater(comps[self.web]["position"], comps[self.core]["position"])

        # Hide and show.
        r = c.submit("/admin/components", {"page": self.pid, "action": "hide", "id": new_id})
        self.assertIn("Site search is hidden from the public page.", c.follow(r).text)
        self.h.wait_for(lambda: new_id not in self.public(), what="hidden from the public page")
        r = c.submit("/admin/components", {"page": self.pid, "action": "show", "id": new_id})
        c.follow(r)
        self.h.wait_for(lambda: new_id in self.public(), what="shown again")

        # Delete: a confirmation step first, then the POST.
        confirm = c.page(f"/admin/components/{new_id}?confirm=delete")
        self.assertIn("Delete Site search?", confirm.text)
        self.assertIn(new_id, self.components(), "asking is not deleting")
        r = c.submit(f"/admin/components/{new_id}", {"page": self.pid, "action": "delete"})
        self.assertIn("Deleted Site search.", c.follow(r).text)
        self.assertNotIn(new_id, self.components())
        self.assertEqual(len(self.audit(action="component.delete", target_id=new_id, target_type="component")), 1)

    def test_groups_are_made_renamed_and_deleted(self):
        c = Console(self.h, "admin@example.com")
        c.page("/admin/components")
        r = c.submit("/admin/components", {"page": self.pid, "action": "add_group", "name": "Regions"})
        gid = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"]).query)["c"][0]
        self.assertIn("Added Regions (a group).", c.follow(r).text)
        self.assertTrue(self.components()[gid]["group"])
        r = c.submit("/admin/components", {"page": self.pid, "action": "add", "name": "Europe", "group_id": gid})
        eu = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"]).query)["c"][0]
        r = c.submit(f"/admin/components/{gid}", {"page": self.pid, "action": "save", "name": "Data centres"})
        self.assertIn("Saved Data centres.", c.follow(r).text)
        self.assertEqual(self.components()[gid]["name"], "Data centres")
        self.assertEqual(len(self.audit(action="component_group.update", target_type="component_group", target_id=gid)), 1)
        self.assertIn("its 1 components stay", c.page(f"/admin/components/{gid}?confirm=delete").text)
        r = c.submit(f"/admin/components/{gid}", {"page": self.pid, "action": "delete"})
        self.assertIn("Deleted Data centres.", c.follow(r).text)
        comps = self.components()
        self.assertNotIn(gid, comps)
        self.assertIsNone(comps[eu]["group_id"], "the member stays, outside any group")

    def test_a_responder_cannot_restructure_and_a_viewer_cannot_post(self):
        before = self.components()
        c = Console(self.h, "responder@example.com")
        c.page("/admin/components")
        for fields in ({"action": "add", "name": "Sneaky"}, {"action": "move", "direction": "down", "id": self.web},
                       {"action": "hide", "id": self.web}):
            r = c.submit("/admin/components", dict(fields, page=self.pid))
            self.assertEqual(r.status, 403, fields)
            self.assertIn("manage_components", r.text)
        r = c.submit(f"/admin/components/{self.web}", {"page": self.pid, "action": "save", "name": "Renamed"})
        self.assertEqual(r.status, 403)
        r = c.submit(f"/admin/components/{self.web}", {"page": self.pid, "action": "delete"})
        self.assertEqual(r.status, 403)
        v = Console(self.h, "viewer@example.com")
        page = v.page("/admin/components")
        self.assertIn(">Web<", page.text.replace("\n", ""))
        self.assertNotIn("<select", page.text, "a viewer sees statuses, not controls")
        r = v.submit("/admin/components", {"page": self.pid, "action": "status", "id": self.web,
                                           "status": "major_outage"})
        self.assertEqual(r.status, 403)
        self.assertIn("set_component_status", r.text)
        self.assertEqual(self.components(), before, "nothing changed")

    def test_without_the_csrf_token_nothing_changes(self):
        before = self.components()
        c = Console(self.h, "admin@example.com")
        c.page("/admin/components")
        r = c.submit("/admin/components", {"page": self.pid, "action": "status", "id": self.web,
                                           "status": "major_outage"}, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertIn("nothing was changed", r.text)
        r = c.submit(f"/admin/components/{self.web}", {"page": self.pid, "action": "delete", "csrf": "forged"},
                     csrf=False)
        self.assertEqual(r.status, 403)
        self.assertEqual(self.components(), before)

    def test_bad_input_names_the_field_and_changes_nothing(self):
        before = self.components()
        c = Console(self.h, "admin@example.com")
        c.page("/admin/components")
        r = c.submit("/admin/components", {"page": self.pid, "action": "add", "name": "  ", "description": "x"})
        self.assertEqual(r.status, 422)
        self.assertIn('role="alert"', r.text)
        self.assertIn('<a href="#add-component-name">Name must not be empty</a>', r.text)
        self.assertIn('id="add-component-name" name="name" type="text" maxlength="255" value="  " required '
                      'aria-invalid="true" aria-describedby="add-component-name-error"', r.text)
        self.assertIn('id="add-component-name-error">Name must not be empty', r.text)
        r = c.submit("/admin/components", {"page": self.pid, "action": "add", "name": "<b>API</b>"})
        self.assertEqual(r.status, 422)
        self.assertIn("add-component-name-error", r.text)
        r = c.submit(f"/admin/components/{self.web}", {"page": self.pid, "action": "save", "name": ""})
        self.assertEqual(r.status, 422)
        self.assertIn('aria-invalid="true" aria-describedby="edit-name-error"', r.text)
        r = c.submit("/admin/components", {"page": self.pid, "action": "status", "id": self.web, "status": "broken"})
        self.assertEqual(r.status, 422)
        r = c.submit("/admin/components", {"page": self.pid, "action": "status", "id": self.core,
                                           "status": "major_outage"})
        self.assertEqual(r.status, 422)
        self.assertIn(f'<a href="#status-{self.core}">A group&apos;s status follows its components</a>', r.text)
        self.assertEqual(self.components(), before)
        self.assertEqual(c.get("/admin/components/nope").status, 404)


if __name__ == "__main__":
    main()
