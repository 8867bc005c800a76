"""The operator console in a real headless Chromium (through chromedriver, like test_browser.py):
signing in through the form found by its labels, the home screen, and axe-core on the sign-in,
home, account and team screens at desktop width and at 390 px (a phone) with zero violations of
any impact, no sideways scrolling and no Content-Security-Policy violation. Screenshots of each
screen at 1280 and 390 px go to HERALD_SCREENSHOT_DIR when that is set (for a human to look at).

Needs chromium, chromium-driver and axe-core (scripts/deps.sh test); fails loudly without them."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import test_browser as tb  # noqa: E402  (the WebDriver helpers; its test class is not collected here)
from harness import Herald, main, run_cli  # noqa: E402

PASSWORD = "correct horse battery staple"
WIDTHS = ((1280, 900), (390, 844))
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.effectiveDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


class ConsoleBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [p for p in (tb.CHROMIUM, tb.CHROMEDRIVER) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
        if missing:
            raise AssertionError(f"browser tests need {', '.join(missing)}: {tb.INSTALL_HINT}")
        if not os.path.isfile(tb.AXE_JS):
            raise AssertionError(f"browser tests need {tb.AXE_JS}: {tb.INSTALL_HINT}")
        cls.shots = os.environ.get("HERALD_SCREENSHOT_DIR")
        cls.herald = Herald(demo=True).start()
        cls.driver = None
        cls.b = None
        try:
            run_cli("user", "create", "--email", "admin@example.com", "--role", "admin", db=cls.herald.db,
                    input=PASSWORD + "\n")
            run_cli("user", "create", "--email", "viewer@example.com", "--role", "viewer", db=cls.herald.db,
                    input=PASSWORD + "\n")
            run_cli("user", "create", "--email", "newcomer@example.com", "--role", "support", "--invite",
                    db=cls.herald.db)
            cls.driver = tb.ChromeDriver()
            cls.b = cls.driver.session()
            cls.b.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_WATCH})
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.b:
            cls.b.quit()
        if cls.driver:
            cls.driver.stop()
        cls.herald.cleanup()

    def field_by_label(self, text):
        """The control a <label> with exactly this text names (as a screen reader user finds it)."""
        element = self.b.js(
            "var want = arguments[0];"
            "var l = Array.from(document.querySelectorAll('label')).find(function (x) {"
            "  return x.textContent.trim() === want; });"
            "return l ? document.getElementById(l.htmlFor) : null;", text)
        self.assertTrue(element, f"no control labelled {text!r}")
        return element[tb.ELEMENT]

    def type_into(self, label, text):
        self.b.cmd("POST", f"/element/{self.field_by_label(label)}/value", {"text": text})

    def button(self, text):
        element = self.b.js(
            "var want = arguments[0];"
            "return Array.from(document.querySelectorAll('button')).find(function (x) {"
            "  return x.textContent.trim() === want; }) || null;", text)
        self.assertTrue(element, f"no button {text!r}")
        return element[tb.ELEMENT]

    def sign_in(self, email):
        self.b.get(self.herald.url + "/admin")
        self.assertIn("/admin/login", self.b.js("return location.pathname"))
        self.type_into("Email", email)
        self.type_into("Password", PASSWORD)
        self.b.click(self.button("Sign in"))
        self.wait_for("location.pathname === '/admin'", "the home screen after signing in")

    def wait_for(self, expression, what, timeout=10):
        import time
        deadline = time.time() + timeout
        while not self.b.js("return " + expression):
            if time.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}: at {self.b.js('return location.href')}")
            time.sleep(0.05)

    def check_screen(self, name):
        """axe-core (every impact), no sideways scroll and no CSP violation at both widths."""
        for width, height in WIDTHS:
            self.b.set_window(width, height)
            with open(tb.AXE_JS, encoding="utf-8") as f:
                self.b.js(f.read())
            out = self.b.js_async(tb.AXE_RUN)
            self.assertFalse(out.startswith("ERROR"), out)
            violations = json.loads(out)
            self.assertEqual(violations, [], tb.format_violations(f"{name} at {width} px", violations))
            overflow = self.b.js("return document.documentElement.scrollWidth > window.innerWidth + 1")
            self.assertFalse(overflow, f"{name} scrolls sideways at {width} px: {self.b.js(tb.OVERFLOWING)}")
            self.assertEqual(self.b.js("return window.__csp"), [], name)
            if self.shots:
                os.makedirs(self.shots, exist_ok=True)
                self.b.screenshot(os.path.join(self.shots, f"console-{name}-{width}.png"))
        self.b.set_window(*WIDTHS[0])

    def test_1_sign_in_form_and_screens(self):
        self.b.get(self.herald.url + "/admin/login")
        self.check_screen("login")
        self.sign_in("admin@example.com")
        text = self.b.text()
        self.assertIn("Overview", text)
        self.assertIn("admin@example.com", text)
        self.assertIn("Open incidents", text)  # the demo has one
        self.check_screen("home")
        self.b.get(self.herald.url + "/admin/account")
        self.assertIn("Change password", self.b.text())
        self.check_screen("account")
        self.b.get(self.herald.url + "/admin/team")
        self.assertIn("viewer@example.com", self.b.text())
        self.check_screen("team")
        # Invite someone from the form: the link is shown once.
        self.type_into("Email", "zoe@example.com")
        self.b.click(self.button("Invite"))
        self.wait_for("document.getElementById('invite-link') !== null", "the invitation link")
        self.check_screen("team-invited")

    def test_2_sign_in_error_and_keyboard(self):
        self.b.get(self.herald.url + "/admin/account")
        if "/admin/login" in self.b.js("return location.pathname"):
            self.sign_in("admin@example.com")
            self.b.get(self.herald.url + "/admin/account")
        self.b.click(self.button("Sign out everywhere"))
        self.wait_for("location.pathname === '/admin/login'", "the sign-in page after signing out")
        self.type_into("Email", "admin@example.com")
        self.type_into("Password", "wrong password, clearly")
        self.b.click(self.button("Sign in"))
        self.wait_for("document.querySelector('[role=alert]') !== null", "the error")
        self.assertIn("Email or password is wrong", self.b.text())
        self.check_screen("login-error")
        # The skip link is the first stop for the keyboard.
        self.assertEqual(self.b.js("return document.querySelector('a').className"), "skip-link")

    def test_3_invitation_screen(self):
        link = run_cli("user", "reset", "--email", "newcomer@example.com", "--invite",
                       db=self.herald.db).stdout.strip().splitlines()[-1]
        path = link[link.index("/admin/invite/"):]
        self.b.get(self.herald.url + path)
        self.assertIn("Choose your password", self.b.text())
        self.check_screen("invite")


if __name__ == "__main__":
    main()
