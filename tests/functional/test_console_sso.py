"""Single sign-on to the operator console with the real binary and a real, certified OpenID
provider (the npm package oidc-provider, started on 127.0.0.1 by tests/fixtures/oidc_provider.mjs):
the sign-in page offers "Sign in with <name>"; a person signs in at the provider (its own login and
consent forms, filled in here as a browser would), comes back to Herald's callback and lands where
they wanted to go, signed in with the role their groups map to; a group with no role is refused
with the reason; a replayed callback is refused; the state cookie's flags. The token checks
themselves (signature, nonce, audience, expiry, key rotation) are covered against the same
provider in src/service/oidc/sign_in_provider_test.cc."""
import os
import re
import socket
import subprocess
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main  # noqa: E402
from test_console_auth import Browser  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "oidc_provider.mjs")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    """A person's browser at the provider: cookies per provider, redirects followed, the
    devInteractions login form (the login is the account id, any password) and consent approved,
    until the provider sends the browser to Herald's callback, whose URL is returned."""

    def __init__(self, base):
        self.base = base
        self.jar = {}

    def sign_in(self, url, login, callback_prefix):
        import http.client
        for _ in range(12):
            if url.startswith(callback_prefix):
                return url
            if url.startswith("/"):
                url = self.base + url
            parts = urllib.parse.urlsplit(url)
            method, body = "GET", None
            for attempt in range(2):
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                headers = {}
                if self.jar:
                    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
                if body is not None:
                    headers["Content-Type"] = "application/x-www-form-urlencoded"
                target = parts.path + ("?" + parts.query if parts.query else "")
                conn.request(method, target, body=body, headers=headers)
                r = conn.getresponse()
                text = r.read().decode("utf-8", "replace")
                for c in r.headers.get_all("Set-Cookie") or []:
                    pair = c.split(";", 1)[0]
                    name, _, value = pair.partition("=")
                    if value and "expires=Thu, 01 Jan 1970" not in c:
                        self.jar[name] = value
                    else:
                        self.jar.pop(name, None)
                conn.close()
                if r.status in (302, 303):
                    url = r.headers["Location"]
                    break
                prompt = re.search(r'name="prompt" value="(\w+)"', text)
                if r.status != 200 or not prompt or attempt:
                    raise AssertionError(f"provider answered {r.status}: {text[:300]}")
                method = "POST"
                body = urllib.parse.urlencode({"prompt": prompt.group(1), "login": login, "password": "any"})
        raise AssertionError("too many redirects at the provider")


class SsoTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.public = f"http://127.0.0.1:{cls.port}"
        cls.callback = cls.public + "/admin/oidc/callback"
        node = subprocess.run(["which", "node"], capture_output=True, text=True).stdout.strip()
        if not node:
            raise AssertionError("node is needed for the OpenID provider: run scripts/deps.sh test")
        cls.provider = subprocess.Popen([node, FIXTURE, "--redirect-uri", cls.callback], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        line = cls.provider.stdout.readline()
        m = re.match(r"oidc provider listening on (\d+)", line)
        if not m:
            cls.provider.kill()
            raise AssertionError(f"the OpenID provider did not start: {line!r}")
        cls.issuer = f"http://127.0.0.1:{m.group(1)}"
        cls.herald = Herald(listen=f"127.0.0.1:{cls.port}")
        config = os.path.join(cls.herald.tmp, "herald.toml")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f'public_url = "{cls.public}"\n\n[oidc]\nissuer = "{cls.issuer}"\nclient_id = "herald"\n'
                    'client_secret = "herald-secret"\ndisplay_name = "Example SSO"\n'
                    'role_map = { "herald-admins" = "admin", "sre" = "responder" }\ndefault_role = "none"\n')
        cls.herald.extra_args += ["--config", config]
        try:
            cls.herald.start()
        except BaseException:
            cls.provider.kill()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.herald.cleanup()
        cls.provider.kill()
        cls.provider.wait()

    def start(self, b, next_path=None):
        login = b.get("/admin/login" + (f"?next={urllib.parse.quote(next_path, safe='')}" if next_path else ""))
        link = re.search(r'<a class="button button--quiet" href="([^"]+)">Sign in with Example SSO</a>', login.text)
        self.assertTrue(link, login.text)
        r = b.get(link.group(1).replace("&amp;", "&"))
        self.assertEqual(r.status, 303, r.text)
        self.assertTrue(r.headers["Location"].startswith(self.issuer + "/"), r.headers["Location"])
        state_cookie = b.set_cookie("herald_oidc")
        self.assertIn("HttpOnly", state_cookie)
        self.assertIn("SameSite=Lax", state_cookie)
        return r.headers["Location"]

    def come_back(self, b, callback_url):
        return b.get(callback_url[len(self.public):])

    def test_admin_signs_in_and_lands_where_they_wanted(self):
        b = Browser(self.herald)
        to_provider = self.start(b, "/admin/team")
        callback = Provider(self.issuer).sign_in(to_provider, "alice", self.callback)
        r = self.come_back(b, callback)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"], "/admin/team")
        self.assertIn("herald_session", b.cookies)
        team = b.get("/admin/team")
        self.assertEqual(team.status, 200, "alice is in herald-admins: admin")
        self.assertIn("alice@example.com", team.text)
        # The same callback again (a replay): refused, no new session.
        c = Browser(self.herald)
        c.cookies["herald_oidc"] = b.cookies.get("herald_oidc", "")
        replay = self.come_back(c, callback)
        self.assertEqual(replay.status, 401)
        self.assertNotIn("herald_session", c.cookies)

    def test_group_maps_to_responder(self):
        b = Browser(self.herald)
        callback = Provider(self.issuer).sign_in(self.start(b), "dave", self.callback)
        r = self.come_back(b, callback)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(b.get("/admin/team").status, 403, "dave is in sre: responder, not admin")
        self.assertIn("responder", b.get("/admin/account").text)

    def test_a_group_without_a_role_is_refused_with_the_reason(self):
        b = Browser(self.herald)
        callback = Provider(self.issuer).sign_in(self.start(b), "bob", self.callback)
        r = self.come_back(b, callback)
        self.assertEqual(r.status, 403)
        self.assertIn("marketing", r.text)
        self.assertIn('role="alert"', r.text)
        self.assertNotIn("herald_session", b.cookies)

    def test_a_callback_without_the_browsers_state_is_refused(self):
        b = Browser(self.herald)
        callback = Provider(self.issuer).sign_in(self.start(b), "alice", self.callback)
        stranger = Browser(self.herald)  # not the browser that started: no state cookie
        r = self.come_back(stranger, callback)
        self.assertEqual(r.status, 401)
        self.assertNotIn("herald_session", stranger.cookies)


if __name__ == "__main__":
    main()
