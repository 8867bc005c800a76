"""A small console client for the functional tests of the console's screens: test_console_auth's
cookie-keeping Browser (redirects not followed) plus what screen tests do over and over: sign in
as someone, read a form's CSRF token, post a form with it, and follow a Post/Redirect/Get."""
import html
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from test_console_auth import PASSWORD, Browser, create_user  # noqa: E402,F401


class Console(Browser):
    def __init__(self, herald, email):
        super().__init__(herald)
        self.email = email
        r = self.sign_in(email)
        assert r.status == 303, r.text
        self.token = None

    def page(self, path, status=200):
        r = self.get(path)
        assert r.status == status, (path, r.status, r.text[:2000])
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        if m:
            self.token = html.unescape(m.group(1))
        return r

    def submit(self, path, fields, csrf=True):
        """POSTs `fields` (with the session's CSRF token unless csrf=False)."""
        if self.token is None:
            self.page("/admin")
        body = dict(fields)
        if csrf:
            body["csrf"] = self.token
        return self.post(path, body)

    def follow(self, r):
        """The page a 303 leads to (without its #fragment, which browsers keep to themselves)."""
        assert r.status == 303, (r.status, r.text[:2000])
        return self.page(r.headers["Location"].split("#", 1)[0])


STAFF = (("admin@example.com", "admin"), ("responder@example.com", "responder"), ("viewer@example.com", "viewer"))


def server_with_page(name="Acme", time_zone="UTC"):
    """A started Herald with a default page `name` and the STAFF users (password PASSWORD):
    (herald, an admin API key, the page's id)."""
    from harness import Herald
    h = Herald().start()
    key = h.token("admin")
    r = h.request("POST", "/v1/pages", {"page": {"name": name, "slug": name.lower(), "is_default": True,
                                                 "time_zone": time_zone}}, token=key)
    assert r.status == 201, r.body
    for email, role in STAFF:
        create_user(h, email, role)
    return h, key, r.json()["id"]
