"""Two-factor sign-in in the operator console with the real binary: a staff user sets it up on
"Your account" (the key as text and as a QR code, read back here with zbarimg as a phone would
scan it), turns it on with a first code computed here exactly as an authenticator app does
(RFC 6238 in a few lines of Python: HMAC-SHA-1, 30-second steps, 6 digits), sees ten recovery
codes once; from then on the password alone starts no session: the code page follows, a wrong code
is refused, the right one signs in, a code works once, a recovery code works once; turning it off
needs the password; `herald user reset` removes it (the way back in with a lost phone). Every
change is in the audit log. The fine points (throttling, forged and expired tickets) are in
src/service/staff_second_factor_test.cc."""
import base64
import hashlib
import hmac
import html
import os
import re
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main, run_cli  # noqa: E402
from test_console_auth import PASSWORD, Browser, create_user  # noqa: E402


def totp(secret_base32, at=None, step_offset=0):
    """The code an authenticator app shows (RFC 6238 with RFC 4226's truncation)."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    counter = int((time.time() if at is None else at) // 30) + step_offset
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class TwoFactorTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.herald = Herald().start()
        create_user(cls.herald, "ada@example.com", "responder")
        create_user(cls.herald, "admin@example.com", "admin")

    @classmethod
    def tearDownClass(cls):
        cls.herald.cleanup()

    def signed_in(self, email):
        b = Browser(self.herald)
        r = b.sign_in(email)
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"], "/admin")
        return b

    def account_post(self, b, fields):
        fields = dict(fields, csrf=b.csrf(b.get("/admin/account")))
        return b.post("/admin/account", fields)

    def enrol(self, b):
        page = b.get("/admin/account")
        self.assertIn("Set up two-factor sign-in</button>", page.text)
        r = self.account_post(b, {"action": "two_factor_begin"})
        self.assertEqual(r.status, 200, r.text)
        secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', r.text).group(1)
        self.assertEqual(len(secret), 32)
        qr = re.search(r'id="two-factor-qr" src="data:image/svg\+xml;base64,([^"]+)"', r.text)
        self.assertTrue(qr, "the QR code is shown")
        self.assertIn('<label for="tf-code">2. Code from your app</label>', r.text)
        # A wrong first code: not on, the same key shown again with the error.
        bad = self.account_post(b, {"action": "two_factor_confirm", "code": "000000" if totp(secret) != "000000"
                                    else "111111"})
        self.assertEqual(bad.status, 422)
        self.assertIn('role="alert"', bad.text)
        self.assertIn(secret, bad.text)
        ok = self.account_post(b, {"action": "two_factor_confirm", "code": totp(secret)})
        self.assertEqual(ok.status, 200, ok.text)
        codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", ok.text)
        self.assertEqual(len(codes), 10, ok.text)
        self.assertIn("Two-factor sign-in is on", ok.text)
        again = b.get("/admin/account")
        self.assertNotIn(codes[0], again.text, "recovery codes are shown once")
        self.assertIn("Recovery codes left: 10", again.text)
        return secret, base64.b64decode(qr.group(1)).decode(), codes

    def test_qr_code_scans_to_the_key(self):
        b = self.signed_in("admin@example.com")
        r = self.account_post(b, {"action": "two_factor_begin"})
        secret = re.search(r'id="two-factor-secret">([A-Z2-7]+)<', r.text).group(1)
        svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', r.text).group(1))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "qr.svg")
            with open(path, "wb") as f:
                f.write(svg)
            # zbarimg reads images through ImageMagick; an SVG it cannot read would fail here.
            png = os.path.join(d, "qr.png")
            chromium = "/usr/bin/chromium"
            subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox", f"--screenshot={png}",
                            "--window-size=400,400", "file://" + path], check=True, capture_output=True, timeout=60)
            out = subprocess.run(["zbarimg", "--quiet", "--raw", png], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        uri = out.stdout.strip()
        parsed = urllib.parse.urlparse(uri)
        self.assertEqual((parsed.scheme, parsed.netloc), ("otpauth", "totp"))
        self.assertEqual(urllib.parse.unquote(parsed.path), "/Herald 127.0.0.1:admin@example.com")
        q = urllib.parse.parse_qs(parsed.query)
        self.assertEqual(q["secret"], [secret])
        self.assertEqual((q["digits"], q["period"], q["algorithm"]), (["6"], ["30"], ["SHA1"]))

    def test_sign_in_with_a_code(self):
        b = self.signed_in("ada@example.com")
        secret, _, codes = self.enrol(b)

        # The password alone: no session, the code page.
        c = Browser(self.herald)
        r = c.sign_in("ada@example.com", next_path="/admin/account")
        self.assertEqual(r.status, 303)
        self.assertEqual(r.headers["Location"], "/admin/login/code?next=%2Fadmin%2Faccount")
        self.assertNotIn("herald_session", c.cookies)
        ticket = c.set_cookie("herald_2fa")
        for flag in ("HttpOnly", "SameSite=Lax", "Path=/admin", "Max-Age=300"):
            self.assertIn(flag, ticket)
        self.assertEqual(c.get("/admin/account").status, 303, "not signed in yet")
        page = c.get("/admin/login/code?next=%2Fadmin%2Faccount")
        self.assertIn('<label for="login-code">Authentication code</label>', page.text)
        self.assertIn(">Verify</button>", page.text)
        right = totp(secret, step_offset=1)  # the confirming step is used; the next one is accepted
        wrong = "123456" if right != "123456" else "654321"
        r = c.post("/admin/login/code", {"csrf": c.csrf(page), "code": wrong, "next": "/admin/account"})
        self.assertEqual(r.status, 401)
        self.assertIn("That code is not right", r.text)
        self.assertNotIn("herald_session", c.cookies)
        # Without the sign-in form's CSRF token nothing happens, even with the right code.
        r = c.post("/admin/login/code", {"code": right, "next": "/admin/account"})
        self.assertEqual(r.status, 403)
        self.assertNotIn("herald_session", c.cookies)
        page = c.get("/admin/login/code")
        r = c.post("/admin/login/code", {"csrf": c.csrf(page), "code": right, "next": "/admin/account"})
        self.assertEqual(r.status, 303, r.text)
        self.assertEqual(r.headers["Location"], "/admin/account")
        self.assertIn("herald_session", c.cookies)
        self.assertNotIn("herald_2fa", c.cookies, "the ticket is removed")
        self.assertEqual(c.get("/admin/account").status, 200)

        # The same code again (someone watching over a shoulder): refused.
        d = Browser(self.herald)
        d.sign_in("ada@example.com")
        page = d.get("/admin/login/code")
        r = d.post("/admin/login/code", {"csrf": d.csrf(page), "code": right})
        self.assertEqual(r.status, 401)
        # A recovery code, once.
        page = d.get("/admin/login/code")
        r = d.post("/admin/login/code", {"csrf": d.csrf(page), "code": codes[0].upper()})
        self.assertEqual(r.status, 303, r.text)
        e = Browser(self.herald)
        e.sign_in("ada@example.com")
        page = e.get("/admin/login/code")
        self.assertEqual(e.post("/admin/login/code", {"csrf": e.csrf(page), "code": codes[0]}).status, 401)
        self.assertIn("Recovery codes left: 9", d.get("/admin/account").text)

        # Turning it off needs the password.
        r = self.account_post(d, {"action": "two_factor_disable", "current_password": "not my password"})
        self.assertEqual(r.status, 422)
        self.assertIn("Recovery codes left: 9", d.get("/admin/account").text, "still on")
        r = self.account_post(d, {"action": "two_factor_disable", "current_password": PASSWORD})
        self.assertEqual(r.status, 200)
        self.assertIn("Two-factor sign-in is off", r.text)
        self.assertEqual(Browser(self.herald).sign_in("ada@example.com").headers["Location"], "/admin")

        key = self.herald.cli("token", "create", "--name", "audit reader", "--role", "admin").stdout.strip()
        r = self.herald.get("/v1/audit_log?limit=100", token=key.splitlines()[-1])
        self.assertEqual(r.status, 200, r.body)
        entries = [e for e in r.json()["entries"] if e["target_id"] == "ada@example.com"]
        actions = [e["action"] for e in entries]
        for action in ("staff_user.two_factor_begin", "staff_user.two_factor_confirm", "staff_user.two_factor_disable"):
            self.assertIn(action, actions)

    def test_reset_removes_the_second_factor(self):
        create_user(self.herald, "bob@example.com", "viewer")
        b = self.signed_in("bob@example.com")
        self.enrol(b)
        self.assertEqual(Browser(self.herald).sign_in("bob@example.com").headers["Location"], "/admin/login/code")
        run_cli("user", "reset", "--email", "bob@example.com", db=self.herald.db, input="a brand new password\n")
        c = Browser(self.herald)
        r = c.sign_in("bob@example.com", password="a brand new password")
        self.assertEqual(r.headers["Location"], "/admin", "after a reset the password alone signs in")
        self.assertIn("Set up two-factor sign-in", html.unescape(c.get("/admin/account").text))


if __name__ == "__main__":
    main()
