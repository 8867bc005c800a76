"""The operator console's sign-in, sessions and CSRF with the real binary: a staff user created
with `herald user create`, signed in over HTTP through the form as a browser would (cookies kept by
hand, redirects not followed, so every cookie and Location can be checked).

Checks what staff and security rely on: the form's labels and one message for a wrong email or
password; cookie flags (HttpOnly, SameSite=Lax, Path=/admin, Secure behind an https public URL);
the console's headers (CSP, no-store, no framing); a POST without the CSRF token is refused and
changes nothing, the sign-in form's too; a session cookie from before sign-in is not valid after
it; failed sign-ins are limited per account and per client, also across a restart; a disabled user
is signed out; a viewer cannot reach the team screen; invitation links work once; sign out
everywhere. Idle and absolute expiry run on a fake clock in src/service/staff_auth_test.cc."""
import html
import http.client
import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main, run_cli  # noqa: E402

PASSWORD = "correct horse battery staple"


class Browser:
    """Cookies by hand and no redirect following: a minimal browser for one server."""

    def __init__(self, herald):
        self.herald = herald
        self.cookies = {}
        self.last_set_cookies = []

    def request(self, method, path, fields=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.herald.port, timeout=30)
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        r.text = r.read().decode("utf-8")
        self.last_set_cookies = r.headers.get_all("Set-Cookie") or []
        for c in self.last_set_cookies:
            name, _, rest = c.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        conn.close()
        return r

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields):
        return self.request("POST", path, fields)

    def set_cookie(self, name):
        return next((c for c in self.last_set_cookies if c.startswith(name + "=")), None)

    @staticmethod
    def csrf(page):
        m = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert m, page.text
        return html.unescape(m.group(1))

    def sign_in(self, email, password=PASSWORD, next_path=None):
        page = self.get("/admin/login" + (f"?next={urllib.parse.quote(next_path, safe='')}" if next_path else ""))
        fields = {"csrf": self.csrf(page), "email": email, "password": password}
        if next_path:
            fields["next"] = next_path
        return self.post("/admin/login", fields)


def create_user(herald, email, role, password=PASSWORD):
    return run_cli("user", "create", "--email", email, "--role", role, db=herald.db, input=password + "\n")


def users(herald):
    out = run_cli("user", "list", db=herald.db).stdout.splitlines()[1:]
    return {line.split("\t")[0]: line.split("\t") for line in out}


class ConsoleAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.herald = Herald().start()
        create_user(cls.herald, "admin@example.com", "admin")
        create_user(cls.herald, "viewer@example.com", "viewer")

    @classmethod
    def tearDownClass(cls):
        cls.herald.cleanup()

    def signed_in(self, email="admin@example.com"):
        b = Browser(self.herald)
        r = b.sign_in(email)
        self.assertEqual(r.status, 303, r.text)
        return b

    def test_sign_in_through_the_form(self):
        b = Browser(self.herald)
        r = b.get("/admin/team")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"], "/admin/login?next=%2Fadmin%2Fteam")
        page = b.get("/admin/login?next=%2Fadmin%2Fteam")
        self.assertEqual(page.status, 200)
        self.assertIn('<label for="login-email">Email</label>', page.text)
        self.assertIn('<label for="login-password">Password</label>', page.text)
        self.assertIn(">Sign in</button>", page.text)
        login_cookie = b.set_cookie("herald_login")
        for flag in ("HttpOnly", "SameSite=Lax", "Path=/admin"):
            self.assertIn(flag, login_cookie)
        r = b.post("/admin/login", {"csrf": b.csrf(page), "email": "Admin@Example.com", "password": PASSWORD,
                                    "next": "/admin/team"})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"], "/admin/team")
        session = b.set_cookie("herald_session")
        self.assertIsNotNone(session)
        for flag in ("HttpOnly", "SameSite=Lax", "Path=/admin"):
            self.assertIn(flag, session)
        self.assertNotIn("Secure", session, "the public URL is http")
        self.assertGreaterEqual(len(b.cookies["herald_session"]), 22, "at least 128 random bits")
        home = b.get("/admin")
        self.assertEqual(home.status, 200, home.text)
        self.assertIn("admin@example.com", home.text)
        self.assertIn('aria-current="page">Dashboard', home.text)
        csp = home.headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertEqual(home.headers["Cache-Control"], "no-store")
        self.assertEqual(home.headers["X-Frame-Options"], "DENY")
        css = b.get("/admin/assets/console.css")
        self.assertEqual(css.status, 200)
        self.assertIn("text/css", css.headers["Content-Type"])

    def test_next_never_leaves_the_site(self):
        for evil in ("https://evil.example/", "//evil.example/admin", "/admin/../x", "/admin/%2e%2e/x",
                     "/admin//evil.example", "/\\evil.example"):
            r = Browser(self.herald).sign_in("admin@example.com", next_path=evil)
            self.assertEqual(r.status, 303)
            self.assertEqual(r.headers["Location"], "/admin", evil)

    def test_wrong_email_or_password_give_one_message(self):
        b = Browser(self.herald)
        wrong_password = b.sign_in("admin@example.com", "not the password at all")
        wrong_email = b.sign_in("nobody@example.com", PASSWORD)
        for r in (wrong_password, wrong_email):
            self.assertEqual(r.status, 401)
            self.assertIn("Email or password is wrong", r.text)
            self.assertNotIn("herald_session", b.cookies)
        # The same page apart from the email typed and the form's fresh token: no hint which was wrong.
        def scrub(r, email):
            return r.text.replace(email, "EMAIL").replace(Browser.csrf(r), "TOKEN")
        self.assertEqual(scrub(wrong_password, "admin@example.com"), scrub(wrong_email, "nobody@example.com"))

    def test_sign_in_form_needs_its_csrf_token(self):
        b = Browser(self.herald)
        b.get("/admin/login")
        r = b.post("/admin/login", {"email": "admin@example.com", "password": PASSWORD})
        self.assertEqual(r.status, 403)
        self.assertNotIn("herald_session", b.cookies)
        # A token from another browser's form (a login CSRF attempt) does not fit this cookie.
        other = Browser(self.herald)
        token = other.csrf(other.get("/admin/login"))
        r = b.post("/admin/login", {"csrf": token, "email": "admin@example.com", "password": PASSWORD})
        self.assertEqual(r.status, 403)
        self.assertNotIn("herald_session", b.cookies)

    def test_post_without_csrf_changes_nothing(self):
        b = self.signed_in()
        for fields in ({"action": "invite", "email": "mallory@example.com", "role": "admin"},
                       {"action": "invite", "email": "mallory@example.com", "role": "admin", "csrf": "forged"}):
            r = b.post("/admin/team", fields)
            self.assertEqual(r.status, 403, r.text)
            self.assertIn("nothing was changed", r.text)
        self.assertNotIn("mallory@example.com", users(self.herald))
        page = b.get("/admin/team")
        r = b.post("/admin/team", {"action": "invite", "email": "Carol@example.com", "role": "support",
                                   "csrf": b.csrf(page)})
        self.assertEqual(r.status, 200, r.text)
        link = re.search(r'value="(http://[^"]+/admin/invite/[^"]+)"', r.text).group(1)
        self.assertEqual(users(self.herald)["carol@example.com"][1:3], ["support", "invited"])
        # The invitation sets a password once.
        c = Browser(self.herald)
        path = urllib.parse.urlparse(link).path
        form = c.get(path)
        self.assertEqual(form.status, 200)
        self.assertEqual(form.headers["Referrer-Policy"], "no-referrer")
        short = c.post(path, {"csrf": c.csrf(form), "password": "short", "password_again": "short"})
        self.assertEqual(short.status, 422)
        self.assertIn("at least 12 characters", short.text)
        r = c.post(path, {"csrf": c.csrf(short), "password": PASSWORD, "password_again": PASSWORD})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(c.get("/admin").status, 200)
        self.assertEqual(Browser(self.herald).get(path).status, 404, "used once")

    def test_console_writes_are_in_the_audit_log_as_the_person(self):
        b = self.signed_in()
        r = b.post("/admin/team", {"action": "invite", "email": "dora@example.com", "role": "viewer", "csrf": "forged"})
        self.assertEqual(r.status, 403, r.text)
        page = b.get("/admin/team")
        r = b.post("/admin/team", {"action": "invite", "email": "dora@example.com", "role": "viewer",
                                   "csrf": b.csrf(page)})
        self.assertEqual(r.status, 200, r.text)
        create_user(self.herald, "gwen@example.com", "responder")
        e = self.signed_in("gwen@example.com")
        account = e.get("/admin/account")
        new_password = "a brand new passphrase 42"
        r = e.post("/admin/account", {"action": "change_password", "current_password": PASSWORD,
                                      "password": new_password, "password_again": new_password,
                                      "csrf": e.csrf(account)})
        self.assertLess(r.status, 400, r.text)
        log = self.herald.get("/v1/audit_log?limit=500", token=self.herald.token("admin"))
        self.assertEqual(log.status, 200, log.body)
        entries = [e for e in log.json()["entries"] if e["actor"].startswith("user:")]
        invites = [e for e in entries if e["action"] == "team.invite"]
        self.assertEqual(len(invites), 1, entries)  # the forged POST changed nothing and is not there
        self.assertEqual(invites[0]["target_id"], "dora@example.com")
        self.assertEqual(invites[0]["actor_name"], "admin@example.com")
        self.assertEqual(invites[0]["source"], "127.0.0.1")
        changed = [e for e in entries if e["action"] == "account.change_password"]
        self.assertEqual([e["actor_name"] for e in changed], ["gwen@example.com"], entries)
        self.assertNotIn(new_password.encode(), log.body)
        self.assertNotIn(PASSWORD.encode(), log.body)

    def test_a_session_cookie_from_before_sign_in_is_not_valid_after_it(self):
        b = Browser(self.herald)
        b.cookies["herald_session"] = "chosen-by-an-attacker-0123456789abcdef"
        self.assertEqual(b.get("/admin").status, 303)
        self.assertEqual(b.sign_in("admin@example.com").status, 303)
        self.assertNotEqual(b.cookies["herald_session"], "chosen-by-an-attacker-0123456789abcdef")
        self.assertEqual(b.get("/admin").status, 200)
        attacker = Browser(self.herald)
        attacker.cookies["herald_session"] = "chosen-by-an-attacker-0123456789abcdef"
        self.assertEqual(attacker.get("/admin").status, 303)

    def test_viewer_cannot_reach_the_team_screen(self):
        b = self.signed_in("viewer@example.com")
        home = b.get("/admin")
        self.assertEqual(home.status, 200)
        self.assertNotIn('href="/admin/team"', home.text)
        r = b.get("/admin/team")
        self.assertEqual(r.status, 403)
        self.assertIn("manage_team", r.text)
        r = b.post("/admin/team", {"action": "invite", "email": "eve@example.com", "role": "admin",
                                   "csrf": b.csrf(home)})
        self.assertEqual(r.status, 403)
        self.assertNotIn("eve@example.com", users(self.herald))

    def test_disabled_user_is_signed_out(self):
        create_user(self.herald, "dave@example.com", "responder")
        b = self.signed_in("dave@example.com")
        self.assertEqual(b.get("/admin").status, 200)
        run_cli("user", "disable", "--email", "dave@example.com", db=self.herald.db)
        r = b.get("/admin")
        self.assertEqual(r.status, 303)
        again = Browser(self.herald).sign_in("dave@example.com")
        self.assertEqual(again.status, 401)
        self.assertIn("Email or password is wrong", again.text)
        run_cli("user", "enable", "--email", "dave@example.com", db=self.herald.db)
        self.assertEqual(Browser(self.herald).sign_in("dave@example.com").status, 303)

    def test_sign_out_and_sign_out_everywhere(self):
        create_user(self.herald, "erin@example.com", "support")
        a, b, c = (self.signed_in("erin@example.com") for _ in range(3))
        r = a.post("/admin/logout", {"csrf": a.csrf(a.get("/admin"))})
        self.assertEqual(r.status, 303)
        self.assertNotIn("herald_session", a.cookies)
        self.assertEqual(b.get("/admin").status, 200)
        page = b.get("/admin/account")
        self.assertEqual(page.status, 200)
        r = b.post("/admin/account", {"action": "sign_out_everywhere", "csrf": b.csrf(page)})
        self.assertEqual(r.status, 303)
        self.assertEqual(c.get("/admin").status, 303)
        self.assertEqual(b.get("/admin").status, 303)

    def test_cli_user_commands(self):
        h = self.herald
        for pw in ("", "short"):
            p = run_cli("user", "create", "--email", "frank@example.com", "--role", "viewer", db=h.db,
                        input=pw + "\n", check=False)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("12", p.stderr)
        self.assertNotIn("frank@example.com", users(h))
        p = run_cli("user", "create", "--email", "frank@example.com", "--role", "responder", "--invite", db=h.db)
        link = p.stdout.strip().splitlines()[-1]
        self.assertRegex(link, r"^http://127\.0\.0\.1:\d+/admin/invite/[A-Za-z0-9_-]{40,}$")
        self.assertIn("works once", p.stderr)
        p = run_cli("user", "create", "--email", "frank@example.com", "--role", "viewer", db=h.db,
                    input=PASSWORD + "\n", check=False)
        self.assertNotEqual(p.returncode, 0)
        p = run_cli("user", "create", "--email", "x@example.com", "--role", "owner", db=h.db,
                    input=PASSWORD + "\n", check=False)
        self.assertNotEqual(p.returncode, 0)
        p = run_cli("user", "reset", "--email", "frank@example.com", db=h.db, input=PASSWORD + "\n")
        self.assertEqual(Browser(h).sign_in("frank@example.com").status, 303)
        p = run_cli("user", "disable", "--email", "nobody@example.com", db=h.db, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no staff user has the email nobody@example.com", p.stderr)


class ConsoleThrottleTest(unittest.TestCase):
    """Its own server (and database): failed sign-ins are counted per client address too."""

    @classmethod
    def setUpClass(cls):
        cls.herald = Herald(extra_args=["--public-url", "https://status.example.com"]).start()
        create_user(cls.herald, "ada@example.com", "admin")
        create_user(cls.herald, "bob@example.com", "admin")

    @classmethod
    def tearDownClass(cls):
        cls.herald.cleanup()

    def test_secure_cookie_behind_https(self):
        b = Browser(self.herald)
        b.get("/admin/login")
        self.assertIn("Secure", b.set_cookie("herald_login"))
        r = b.sign_in("bob@example.com")
        self.assertEqual(r.status, 303)
        self.assertIn("Secure", b.set_cookie("herald_session"))

    def test_failed_sign_ins_lock_the_account_even_across_a_restart(self):
        b = Browser(self.herald)
        for i in range(5):
            self.assertEqual(b.sign_in("ada@example.com", f"guess number {i}").status, 401)
        self.herald.stop()
        self.herald.start()
        r = Browser(self.herald).sign_in("ada@example.com")
        self.assertEqual(r.status, 429, r.text)
        self.assertIn("Too many attempts, try again in 15 minutes", r.text)
        self.assertEqual(r.headers["Retry-After"], "900")
        self.assertNotIn("herald_session", b.cookies)
        # Another account from the same client is not locked (yet).
        self.assertEqual(Browser(self.herald).sign_in("bob@example.com").status, 303)

    def test_zz_one_client_guessing_many_accounts_is_stopped(self):
        b = Browser(self.herald)
        statuses = [b.sign_in(f"user{i}@example.com", "guess").status for i in range(16)]
        self.assertEqual(statuses[-1], 429, statuses)
        self.assertIn("Too many attempts", b.sign_in("bob@example.com").text)


if __name__ == "__main__":
    main()
