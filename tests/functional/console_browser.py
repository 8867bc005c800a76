"""The operator console's browser-test base (not a test file itself): a real headless Chromium
through chromedriver (test_browser.py's WebDriver helpers), the real binary with the demo data and
staff users made by `herald user create`, and the checks every console screen passes: axe-core
(every impact) at 1280 and 390 px with zero violations, no sideways scrolling, no
Content-Security-Policy violation; screenshots of each checked screen to HERALD_SCREENSHOT_DIR when
set. A screen's test file subclasses ConsoleBrowserCase:

    class ComponentsBrowser(ConsoleBrowserCase):
        def test_set_status(self):
            self.sign_in("admin@example.com")
            self.b.get(self.herald.url + "/admin/components")
            self.check_screen("components")

Users (password PASSWORD): admin@example.com (admin), viewer@example.com (viewer),
responder@example.com (responder), support@example.com (support); newcomer@example.com (support)
is invited and has no password yet.

Needs chromium, chromium-driver and axe-core (scripts/deps.sh test); fails loudly without them."""
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import test_browser as tb  # noqa: E402  (the WebDriver helpers; its test class is not collected here)
from harness import Herald, run_cli  # noqa: E402

PASSWORD = "correct horse battery staple"
WIDTHS = ((1280, 900), (390, 844))
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.effectiveDirective + ' ' + (e.blockedURI || 'inline'));
});
"""


class ConsoleBrowserCase(unittest.TestCase):
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
            for email, role in (("responder@example.com", "responder"), ("support@example.com", "support")):
                run_cli("user", "create", "--email", email, "--role", role, db=cls.herald.db, input=PASSWORD + "\n")
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
        """Signs in through the form (signing out first if someone is signed in)."""
        self.b.cmd("DELETE", "/cookie")
        self.b.get(self.herald.url + "/admin")
        self.assertIn("/admin/login", self.b.js("return location.pathname"))
        self.type_into("Email", email)
        self.type_into("Password", PASSWORD)
        self.b.click(self.button("Sign in"))
        self.wait_for("location.pathname === '/admin'", "the home screen after signing in")

    def wait_for(self, expression, what, timeout=10):
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
