"""The public status page as visitors see it, in a real headless Chromium driven through
chromedriver with the W3C WebDriver protocol (plain HTTP with urllib; no selenium).

Checks what a visitor relies on: the page shows the overall status and open incidents without
script errors and without requests outside the server; times are shown in the visitor's own zone;
the page updates live without a reload; it still works with JavaScript off; axe-core finds no
serious or critical accessibility problem; it fits a phone's width. Screenshots of the desktop
and mobile views are written to HERALD_SCREENSHOT_DIR when that is set (for a human to look at).

Needs the Debian packages chromium and chromium-driver and tests/e2e/node_modules/axe-core
(`make test` installs them via scripts/deps.sh test); fails loudly when they are missing."""
import base64
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import zoneinfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import Herald, main  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
AXE_JS = os.path.join(ROOT, "tests/e2e/node_modules/axe-core/axe.min.js")
CHROMIUM = os.environ.get("HERALD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("HERALD_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
VISITOR_TZ = "America/New_York"  # the page's own zone in the demo is Europe/Berlin
HTTP_TIMEOUT = 40  # one WebDriver command; the machine may be busy
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # W3C web element identifier key

INSTALL_HINT = ("install the Debian packages chromium and chromium-driver, and axe-core with "
                "`npm ci --prefix tests/e2e` (`scripts/deps.sh test` does both)")


class WebDriverError(AssertionError):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromeDriver:
    """A chromedriver process on 127.0.0.1 (its Chromium inherits `env`, e.g. TZ)."""

    def __init__(self, env=None):
        self.tmp = tempfile.mkdtemp(prefix="herald-chromedriver-")
        self.port = free_port()
        self.log = open(os.path.join(self.tmp, "chromedriver.log"), "w+")
        self.proc = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}", "--allowed-ips=127.0.0.1"],
            stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
        deadline = time.time() + 20
        while True:
            try:
                if self.call("GET", "/status", timeout=2)["ready"]:
                    break
            except (OSError, WebDriverError):
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                self.stop()
                raise AssertionError(f"chromedriver did not start on port {self.port}: {self.log_text()}")
            time.sleep(0.1)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def log_text(self):
        try:
            self.log.flush()
            self.log.seek(0)
            return self.log.read()[-3000:]
        except Exception:
            return ""

    def call(self, method, path, body=None, timeout=HTTP_TIMEOUT):
        data = json.dumps(body if body is not None else {}).encode() if method == "POST" else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                v = json.loads(raw)["value"]
                msg = f"{v.get('error')}: {v.get('message', '')[:2000]}"
            except Exception:
                msg = raw[:2000]
            raise WebDriverError(f"WebDriver {method} {path} failed ({e.code}): {msg}") from None

    def session(self, extra_args=(), prefs=None, bfcache=False):
        return Session(self, extra_args, prefs, bfcache)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


class Session:
    """One browser (its own profile directory) with the W3C commands the tests use."""

    def __init__(self, driver, extra_args=(), prefs=None, bfcache=False):
        self.driver = driver
        self.profile = tempfile.mkdtemp(prefix="herald-chromium-")
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--lang=en-US", "--window-size=1280,900",
                # Nothing but the server under test: any other host fails to resolve.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                f"--user-data-dir={self.profile}", *extra_args]
        if not bfcache:
            # Keeps each test's navigations independent of pages left in the back/forward cache
            # (test_8 covers what the cache does to the page's event streams).
            args.append("--disable-features=BackForwardCache")
        opts = {"binary": CHROMIUM, "args": args}
        if prefs:
            opts["prefs"] = prefs
        caps = {"browserName": "chrome", "pageLoadStrategy": "normal",
                "goog:chromeOptions": opts, "goog:loggingPrefs": {"browser": "ALL"},
                "timeouts": {"script": 30000, "pageLoad": 30000, "implicit": 0}}
        try:
            v = driver.call("POST", "/session", {"capabilities": {"alwaysMatch": caps}}, timeout=60)
        except WebDriverError as e:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise AssertionError(f"could not start Chromium: {e}\n{driver.log_text()}") from None
        self.id = v["sessionId"]

    def cmd(self, method, path, body=None):
        return self.driver.call(method, f"/session/{self.id}{path}", body)

    def get(self, url):
        self.cmd("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args):
        return self.cmd("POST", "/execute/async", {"script": script, "args": list(args)})

    def cdp(self, command, params=None):
        """A DevTools command through chromedriver's Chromium-specific endpoint."""
        return self.cmd("POST", "/goog/cdp/execute", {"cmd": command, "params": params or {}})

    def text(self):
        return self.js("return document.body.innerText")

    def find_all(self, css):
        return [e[ELEMENT] for e in self.cmd("POST", "/elements", {"using": "css selector", "value": css})]

    def click(self, element_id):
        self.cmd("POST", f"/element/{element_id}/click")

    def set_window(self, width, height):
        self.cmd("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        return png

    def full_page_screenshot(self, path):
        shot = self.cdp("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))

    def browser_log(self):
        """Console and error entries (chromedriver's legacy log endpoint); [] when unsupported."""
        try:
            return self.driver.call("POST", f"/session/{self.id}/se/log", {"type": "browser"})
        except WebDriverError:
            return []

    def quit(self):
        try:
            self.cmd("DELETE", "")
        except Exception:
            pass
        shutil.rmtree(self.profile, ignore_errors=True)


# Installed with CDP before any page script runs: collects uncaught errors and rejections, and
# counts opened event streams.
INSTRUMENT = """
window.__herald_errors = [];     // uncaught script errors and rejections
window.__herald_resources = [];  // elements whose resource failed (capture phase)
window.__herald_csp = [];        // Content-Security-Policy violations
window.addEventListener('error', function (e) {
  if (e.target && e.target !== window && e.target.nodeName) {
    if (!e.target.src && !e.target.href) return;  // a blocked inline <style>: reported as CSP
    window.__herald_resources.push(e.target.nodeName + ' ' + (e.target.outerHTML || '').slice(0, 160));
  } else {
    window.__herald_errors.push(e.message + ' at ' + e.filename + ':' + e.lineno);
  }
}, true);
window.addEventListener('unhandledrejection', function (e) {
  window.__herald_errors.push('unhandled rejection: ' + String(e.reason));
});
document.addEventListener('securitypolicyviolation', function (e) {
  window.__herald_csp.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') +
                           ' at line ' + e.lineNumber + ': ' + (e.sample || ''));
});
// Counts opened event streams (the page's live updates) without changing their behaviour.
window.__herald_sse_open = 0;
(function () {
  var ES = window.EventSource;
  if (typeof ES !== 'function') return;
  function Counted(url, init) {
    var es = new ES(url, init);
    es.addEventListener('open', function () { window.__herald_sse_open++; });
    return es;
  }
  Counted.prototype = ES.prototype;
  Counted.CONNECTING = 0; Counted.OPEN = 1; Counted.CLOSED = 2;
  window.EventSource = Counted;
})();
"""

AXE_RUN = """
var done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(function (r) { done(JSON.stringify(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(function (n) {
              return {target: n.target, html: n.html, summary: n.failureSummary};
            })};
  }))); })
  .catch(function (e) { done('ERROR ' + e); });
"""

# Elements whose right edge is past the viewport: what to fix when the page scrolls sideways.
OVERFLOWING = """
var w = window.innerWidth, out = [];
document.querySelectorAll('body *').forEach(function (el) {
  var r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > w + 0.5) {
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
             (el.className && el.className.baseVal === undefined ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '') +
             ' right=' + Math.round(r.right));
  }
});
return out.slice(0, 15);
"""


def format_violations(where, violations):
    lines = [f"{len(violations)} serious/critical accessibility violation(s) on {where}:"]
    for v in violations:
        lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for n in v["nodes"][:5]:
            lines.append(f"    at {' '.join(map(str, n['target']))}: {n['html'][:200]}")
            for s in (n.get("summary") or "").splitlines():
                lines.append(f"      {s}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more element(s)")
    return "\n".join(lines)


class Browser(unittest.TestCase):
    """Tests are numbered: the live-update test changes the page and runs late."""

    @classmethod
    def setUpClass(cls):
        missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(p) and os.access(p, os.X_OK))]
        if missing:
            raise AssertionError(f"browser tests need {', '.join(missing)}: {INSTALL_HINT}")
        if not os.path.isfile(AXE_JS):
            raise AssertionError(f"browser tests need {AXE_JS}: {INSTALL_HINT}")
        cls.shots = os.environ.get("HERALD_SCREENSHOT_DIR")
        cls.herald = Herald(demo=True).start()
        cls.driver = None
        cls.sessions = []
        try:
            cls.admin = cls.herald.token("admin")
            pages = cls.herald.get("/v1/pages", token=cls.admin).json()
            cls.pid = next(p["id"] for p in pages if p["is_default"])
            cls.page_tz = next(p["time_zone"] for p in pages if p["is_default"])
            cls.components = cls.herald.get(f"/v1/pages/{cls.pid}/components", token=cls.admin).json()
            incidents = cls.herald.get(f"/v1/pages/{cls.pid}/incidents", token=cls.admin).json()
            cls.open_incident = next(i for i in incidents
                                     if i["status"] not in ("resolved", "completed") and i["impact"] != "maintenance")
            html = cls.herald.get("/").text
            cls.banner = re.search(r'<h1 class="overall-text">([^<]+)</h1>', html).group(1).strip()
            cls.server_html = html
            cls.driver = ChromeDriver(env={"TZ": VISITOR_TZ})
            cls.b = cls.driver.session()
            cls.sessions.append(cls.b)
            cls.b.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": INSTRUMENT})
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.sessions:
            s.quit()
        if cls.driver:
            cls.driver.stop()
        cls.herald.cleanup()

    def open(self, path="/", session=None):
        s = session or self.b
        s.get(self.herald.url + path)
        return s

    def wait_js(self, expression, what, timeout=5, session=None):
        """Polls (bounded) until `expression` is true in the page, instead of sleeping a while."""
        s = session or self.b
        deadline = time.time() + timeout
        while not s.js("return " + expression):
            if time.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def shot(self, name, full_page=False, session=None):
        if not self.shots:
            return
        os.makedirs(self.shots, exist_ok=True)
        s = session or self.b
        s.screenshot(os.path.join(self.shots, f"{name}.png"))
        if full_page:
            s.full_page_screenshot(os.path.join(self.shots, f"{name}-full.png"))

    def axe_violations(self, session=None):
        s = session or self.b
        with open(AXE_JS, encoding="utf-8") as f:
            s.js(f.read())
        out = s.js_async(AXE_RUN)
        self.assertFalse(out.startswith("ERROR"), out)
        return [v for v in json.loads(out) if v["impact"] in ("serious", "critical")]

    def test_1_page_shows_status_and_open_incident(self):
        self.open("/")
        self.shot("desktop", full_page=True)
        self.assertEqual(self.b.js("return document.readyState"), "complete")
        text = self.b.text()
        self.assertTrue(self.banner)
        self.assertIn(self.banner, text)
        self.assertIn(self.open_incident["name"], text)
        # The banner is on screen (not clipped or hidden) at the top of the page.
        box = self.b.js("var r = document.querySelector('.overall-text').getBoundingClientRect();"
                        "return [r.top, r.bottom, r.width];")
        self.assertGreater(box[2], 0)
        self.assertLess(box[1], self.b.js("return window.innerHeight"), "banner is below the fold")
        self.assertEqual(self.b.js("return document.title"),
                         re.search(r"<title>([^<]*)</title>", self.server_html).group(1))

    def test_1b_no_script_errors(self):
        self.b.browser_log()  # drop entries from earlier pages
        self.open("/")
        # The deferred script ran and the event stream started (its errors would be in by now).
        self.wait_js("document.readyState == 'complete' && window.__herald_sse_open > 0", "page.js and its event stream")
        # page.js ran (times localised) and nothing threw.
        self.assertGreater(self.b.js("return document.querySelectorAll('time[data-localized]').length"), 0)
        self.assertEqual(self.b.js("return window.__herald_errors"), [])
        console = [e["message"] for e in self.b.browser_log()
                   if e.get("level") == "SEVERE" and e.get("source") == "javascript"]
        self.assertEqual(console, [], "console errors")

    def test_1c_everything_loads_and_nothing_is_blocked(self):
        """Stylesheet, script and icons load, and the page's own Content-Security-Policy blocks
        none of its own markup (a blocked inline <style> or style= attribute silently drops the
        page's accent colour or icon strokes)."""
        self.b.browser_log()
        self.open("/")
        self.wait_js("document.readyState == 'complete' && window.__herald_sse_open > 0", "the page and its event stream")
        self.assertEqual(self.b.js("return window.__herald_resources"), [], "resources that failed to load")
        self.assertEqual(self.b.js("return window.__herald_csp"), [],
                         "the page's Content-Security-Policy blocks parts of the page itself")
        # /favicon.ico is requested by the browser, not the page: a 404 there is not a page fault.
        console = [e["message"] for e in self.b.browser_log() if e.get("level") == "SEVERE"
                   and e.get("source") != "javascript" and "/favicon.ico" not in e["message"]]
        self.assertEqual(console, [], "console errors")

    def test_1d_no_requests_outside_the_server(self):
        self.open("/")
        origins = self.b.js("return performance.getEntriesByType('resource').map(function (e) {"
                            "return new URL(e.name).origin; })")
        self.assertTrue(origins, "no resources loaded (stylesheet, script)?")
        self.assertEqual(set(origins), {self.herald.url})

    def test_2_times_in_visitors_zone(self):
        self.open("/")
        self.assertEqual(self.b.js("return Intl.DateTimeFormat().resolvedOptions().timeZone"), VISITOR_TZ)
        times = self.b.js("return Array.from(document.querySelectorAll('time.update-time')).map(function (t) {"
                          "return [t.getAttribute('datetime'), t.textContent, t.title]; })")
        self.assertTrue(times, "no update times on the page")
        server = dict(re.findall(r'<time class="update-time" datetime="([^"]+)">([^<]+)</time>', self.server_html))
        for iso, shown, title in times:
            with self.subTest(datetime=iso):
                self.assertIn(iso, server)
                self.assertEqual(title, server[iso], "title keeps the page-zone text")
                self.assertNotEqual(shown, server[iso])
                local = datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(zoneinfo.ZoneInfo(VISITOR_TZ))
                self.assertIn(local.strftime("%I:%M"), shown, f"{shown!r} is not {local} in {VISITOR_TZ}")
                self.assertRegex(shown, r"\bE[SD]T\b", "the visitor's zone is named")
        # Day headings name page-zone days and stay as rendered.
        for iso, shown in self.b.js("return Array.from(document.querySelectorAll('.past-date time')).map("
                                    "function (t) { return [t.getAttribute('datetime'), t.textContent]; })"):
            self.assertIn(f'<time datetime="{iso}">{shown}</time>', self.server_html)

    def test_3_incident_page_times_and_content(self):
        self.open(f"/incidents/{self.open_incident['id']}")
        text = self.b.text()
        self.assertIn(self.open_incident["name"], text)
        for u in self.open_incident["incident_updates"]:
            self.assertIn(u["body"].split("\n")[0][:40], text)
        self.assertGreater(self.b.js("return document.querySelectorAll('time[data-localized]').length"), 0)

    def test_4_works_without_javascript(self):
        s = self.driver.session(extra_args=["--blink-settings=scriptEnabled=false"],
                                prefs={"profile.managed_default_content_settings.javascript": 2})
        self.sessions.append(s)
        s.get(self.herald.url + "/")
        # page.js did not run: no time was localised and no live-update code is attached.
        self.assertEqual(s.js("return document.querySelectorAll('time[data-localized]').length"), 0)
        text = s.text()
        self.assertIn(self.banner, text)
        self.assertIn(self.open_incident["name"], text)
        # Groups are native <details>: a visitor opens them with a click, no script needed.
        for summary in s.find_all("details:not([open]) > summary"):
            s.click(summary)
        text = s.text()
        public = [c for c in self.components if not c["hidden"] and not c["only_show_if_degraded"]]
        self.assertTrue(public)
        for c in public:
            self.assertIn(c["name"], text)
        # Following a link to the incident page works too.
        links = s.find_all(f"a[href*='{self.open_incident['id']}']")
        self.assertTrue(links, "no link to the open incident")
        s.click(links[0])
        self.assertIn(f"/incidents/{self.open_incident['id']}", s.js("return location.pathname"))
        self.assertIn(self.open_incident["name"], s.text())

    def test_5_accessibility_axe(self):
        for path in ["/", f"/incidents/{self.open_incident['id']}", "/history.html"]:
            with self.subTest(path=path):
                self.open(path)
                found = self.axe_violations()
                self.assertEqual(found, [], "\n" + format_violations(path, found))

    def test_5b_accessibility_axe_dark_mode(self):
        """The page has a dark scheme (prefers-color-scheme): its contrast must hold too."""
        dark = self.driver.session(extra_args=["--force-dark-mode"])
        self.sessions.append(dark)
        for path in ["/", f"/incidents/{self.open_incident['id']}"]:
            with self.subTest(path=path):
                self.open(path, session=dark)
                self.assertTrue(dark.js("return matchMedia('(prefers-color-scheme: dark)').matches"))
                if path == "/":
                    self.shot("desktop-dark", session=dark)
                found = self.axe_violations(dark)
                self.assertEqual(found, [], "\n" + format_violations(path + " (dark)", found))

    def test_6_mobile_width_has_no_horizontal_scroll(self):
        self.b.set_window(390, 844)
        try:
            for path in ["/", f"/incidents/{self.open_incident['id']}", "/history.html"]:
                with self.subTest(path=path):
                    self.open(path)
                    if path == "/":
                        self.shot("mobile", full_page=True)
                    inner = self.b.js("return window.innerWidth")
                    self.assertLessEqual(inner, 400, "window did not shrink to phone width")
                    scroll = self.b.js("return document.documentElement.scrollWidth")
                    self.assertLessEqual(scroll, inner, f"{path} scrolls sideways at {inner}px: "
                                         f"{self.b.js(OVERFLOWING)}")
        finally:
            self.b.set_window(1280, 900)

    def test_7_live_update_without_reload(self):
        self.open("/")
        self.b.js("window.__marker = 1")
        # The update is pushed over the page's EventSource: wait (bounded) until it is connected.
        deadline = time.time() + 5
        while time.time() < deadline and not self.b.js("return window.__herald_sse_open"):
            time.sleep(0.1)
        self.assertTrue(self.b.js("return window.__herald_sse_open"), "the page's event stream did not open")
        name = "Checkout failing for card payments " + os.urandom(3).hex()
        component = next(c for c in self.components if not c["group"] and not c["hidden"])
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {
            "name": name, "status": "investigating", "body": "Card payments fail at checkout.",
            "components": {component["id"]: "major_outage"}}}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        posted = time.time()
        deadline = posted + 2.0
        seen = False
        while time.time() < deadline:
            if name in self.b.text():
                seen = True
                break
            time.sleep(0.1)
        self.assertTrue(seen, f"new incident not shown within 2 s of the API call: {self.b.text()[:500]}")
        self.assertEqual(self.b.js("return window.__marker"), 1, "the page reloaded instead of updating")
        # The banner followed the new state, and the new incident's times are localised too.
        banner = self.b.js("return document.querySelector('.overall-text').textContent").strip()
        self.assertNotEqual(banner, self.banner)
        self.assertEqual(self.b.js("return document.querySelectorAll('time.update-time:not([data-localized])').length"), 0)
        print(f"live update shown {time.time() - posted:.2f} s after the API call", file=sys.stderr)

    def test_7b_live_update_keeps_what_the_visitor_is_typing(self):
        """First-hour issue 2: the script replaced the whole page on every change, wiping the
        subscribe form (typed URL, channel, ticked components, focus) and one-time answers."""
        self.open("/")
        deadline = time.time() + 5
        while time.time() < deadline and not self.b.js("return window.__herald_sse_open"):
            time.sleep(0.1)
        self.assertTrue(self.b.js("return window.__herald_sse_open"), "the page's event stream did not open")
        self.b.js("""
            var f = document.querySelector('.subscribe-form');
            f.querySelector('input[value=webhook]').click();
            f.querySelector('details').open = true;
            f.querySelector('input[name="component_ids[]"]').click();
            var a = document.getElementById('sub-address');
            a.focus();
            a.value = 'https://hooks.example.com/typed-' + 'by-hand';
        """)
        name = "Search results incomplete " + os.urandom(3).hex()
        r = self.herald.request("POST", f"/v1/pages/{self.pid}/incidents", {"incident": {
            "name": name, "status": "investigating", "body": "Some searches miss results."}}, token=self.admin)
        self.assertEqual(r.status, 201, r.body)
        deadline = time.time() + 3
        while time.time() < deadline and name not in self.b.text():
            time.sleep(0.1)
        self.assertIn(name, self.b.text(), "the live update did not arrive")
        state = self.b.js("""
            var f = document.querySelector('.subscribe-form');
            return {address: document.getElementById('sub-address').value,
                    channel: f.querySelector('input[name=channel]:checked').value,
                    open: f.querySelector('details').open,
                    ticked: f.querySelectorAll('input[name="component_ids[]"]:checked').length,
                    focused: document.activeElement && document.activeElement.id};
        """)
        self.assertEqual(state, {"address": "https://hooks.example.com/typed-by-hand", "channel": "webhook",
                                 "open": True, "ticked": 1, "focused": "sub-address"})

    def test_7c_pages_with_one_time_answers_do_not_listen(self):
        """A sign-up answer (a webhook secret shown once) or the preferences form is never
        refreshed: those pages open no event stream, and a change leaves what is typed."""
        self.open("/subscribe")
        self.b.js("document.getElementById('sub-address').value = 'typed@example.com'")
        r = self.herald.request("PATCH", f"/v1/pages/{self.pid}/components/{self.components[1]['id']}",
                                {"component": {"description": "touched " + os.urandom(2).hex()}}, token=self.admin)
        self.assertEqual(r.status, 200, r.body)
        # The change is published (pages listening are told at that moment), rather than a sleep.
        touched = r.json()["description"]
        self.herald.wait_for(lambda: any(c.get("description") == touched
                                         for c in self.herald.get("/api/v2/components.json").json()["components"]),
                             timeout=10, what="the change in the public snapshot")
        self.assertEqual(self.b.js("return window.__herald_sse_open"), 0)
        self.assertEqual(self.b.js("return document.getElementById('sub-address').value"), "typed@example.com")

    def test_8_browsing_around_keeps_working(self):
        """A visitor clicks between the status page, incidents and history. With Chromium's
        back/forward cache on (its default), every page left must give up its event stream:
        a browser opens at most 6 connections to one HTTP/1.1 server, so streams kept open
        by cached pages stall the 7th page load for good."""
        s = self.driver.session(bfcache=True)
        self.sessions.append(s)
        s.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": INSTRUMENT})
        s.cmd("POST", "/timeouts", {"pageLoad": 8000})
        paths = ["/", f"/incidents/{self.open_incident['id']}", "/history.html"] * 3
        for i, path in enumerate(paths):
            t = time.time()
            try:
                s.get(self.herald.url + path)
            except WebDriverError as e:
                self.fail(f"page load {i + 1} ({path}) did not finish within 8 s after visiting "
                          f"{paths[:i]}: {str(e)[:200]}")
            self.assertLess(time.time() - t, 5, f"page load {i + 1} ({path}) was slow")
            # The visitor reads the page for a moment: its event stream opens.
            deadline = time.time() + 3
            while time.time() < deadline and not s.js("return window.__herald_sse_open"):
                time.sleep(0.1)
            self.assertTrue(s.js("return window.__herald_sse_open"), f"page load {i + 1} ({path}): its event stream did not open within 3 s "
                            f"(after visiting {paths[:i]})")

    def test_9_uptime_days_by_keyboard_touch_and_without_script(self):
        """First-hour issue 12: a day's uptime was a native title (nothing on a phone), 6 px bars
        could not be focused and a day did not show its incidents."""
        self.open("/")
        # One tab stop per row of days (arrow keys move), today's.
        rows = self.b.js("return Array.from(document.querySelectorAll('.bars')).map(function (r) {"
                         "return r.querySelectorAll('summary[tabindex=\"0\"]').length; })")
        self.assertTrue(rows)
        self.assertEqual(set(rows), {1})
        # Each day keeps its status colour (the bar is the <li>; its <details> covers it).
        colours = self.b.js("var c = function (s) { var e = document.querySelector(s + ' .day > summary');"
                            "return e && getComputedStyle(e.closest('.bar')).backgroundColor; };"
                            "return [c('.bar--ok'), getComputedStyle(document.querySelector('.key--ok')).backgroundColor];")
        self.assertEqual(colours[0], colours[1], "operational days are not drawn in the legend's colour")
        row = "ol.bars[aria-label^='Email delivery:']"
        # Alike days without incidents are one element (a light page for 200 components): its
        # text names the date range, and the elements cover the 90 days of the row.
        runs = self.b.js(f"var r = document.querySelector(\"{row}\"); var w = 0;"
                         "r.querySelectorAll(':scope > .bar').forEach(function (b) { w += b.getBoundingClientRect().width; });"
                         "return {cover: w / r.getBoundingClientRect().width,"
                         "texts: Array.from(r.querySelectorAll('.day-text')).map(function (t) { return t.textContent; })};")
        self.assertAlmostEqual(runs["cover"], 1, places=2)
        self.assertLess(len(runs["texts"]), 90)
        self.assertTrue(any(re.match(r"^[A-Z][a-z]{2} \d\d, \d{4} to [A-Z][a-z]{2} \d\d, \d{4}: .*uptime.*\. No incidents$", t)
                            for t in runs["texts"]), runs["texts"])
        today = self.b.find_all(f"{row} li:last-child summary")[0]
        self.b.cmd("POST", f"/element/{today}/value", {"text": "\ue012"})  # ArrowLeft: the days before
        focused = self.b.js(f"var s = document.querySelectorAll(\"{row} summary\"); "
                            "return Array.prototype.indexOf.call(s, document.activeElement) - s.length;")
        self.assertEqual(focused, -2, "ArrowLeft did not move to the day (or run of alike days) before")
        self.b.cmd("POST", f"/element/{today}/click")  # a tap or click on today's bar
        box = self.b.js("var d = document.querySelector('.day[open]'); if (!d) return null;"
                        "var r = d.getBoundingClientRect(); return {text: d.innerText, w: r.width, h: r.height,"
                        "links: Array.from(d.querySelectorAll('a')).map(function (a) { return a.getAttribute('href'); })};")
        self.assertIsNotNone(box, "no day opened")
        self.assertGreater(box["w"], 100)
        self.assertIn("uptime", box["text"])
        self.assertIn(self.open_incident["name"], box["text"])
        self.assertIn(f"/incidents/{self.open_incident['id']}.html", box["links"])
        self.shot("day-open")
        self.b.cmd("POST", f"/element/{today}/value", {"text": "\ue00c"})  # Escape closes it
        self.assertEqual(self.b.js("return document.querySelectorAll('.day[open]').length"), 0)
        found = self.axe_violations()
        self.assertEqual(found, [], "\n" + format_violations("/ (days)", found))
        # Without script a day is a native <details>: a click shows it.
        s = self.driver.session(extra_args=["--blink-settings=scriptEnabled=false"],
                                prefs={"profile.managed_default_content_settings.javascript": 2})
        self.sessions.append(s)
        s.get(self.herald.url + "/")
        day = s.find_all(f"{row} li:last-child summary")[0]
        s.click(day)
        self.assertIn(self.open_incident["name"], s.js("return document.querySelector('.day[open]').innerText"))

    def test_9b_component_description_reachable_by_keyboard(self):
        """The description of a component reaches keyboard and screen-reader users: where the
        screen can hover it sits behind a "?" button that can be focused and describes it; on
        touch screens (headless Chromium's default) it is shown under the name."""
        desktop = self.driver.session(extra_args=[
            "--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4"])
        self.sessions.append(desktop)
        for hover, s in ((False, self.b), (True, desktop)):
            with self.subTest(hover=hover):
                self.open("/", session=s)
                self.assertEqual(s.js("return matchMedia('(hover: hover)').matches"), hover)
                info = s.js("var b = Array.from(document.querySelectorAll('.component-help')).find(function (e) {"
                            "return !e.closest('details:not([open])'); }); b.focus();"
                            "var d = document.getElementById(b.getAttribute('aria-describedby'));"
                            "return {tag: b.tagName, focused: document.activeElement === b, text: d.textContent,"
                            "width: d.getBoundingClientRect().width};")
                self.assertEqual(info["tag"], "BUTTON")
                self.assertTrue(info["text"].strip())
                self.assertGreater(info["width"], 40, "the description is not shown")
                self.assertEqual(info["focused"], hover, "the ? is focusable where it is shown")
                if hover:
                    self.shot("description-on-focus", session=s)

    def test_9c_subscribe_form_offers_what_works(self):
        """First-hour issue 9: email and SMS were offered on a server that sends neither, and
        "Only some components" did not look clickable."""
        self.open("/")
        channels = self.b.js("return Array.from(document.querySelectorAll('.subscribe-form input[name=channel]'))"
                             ".map(function (i) { return i.value; })")
        self.assertNotIn("email", channels)
        self.assertNotIn("sms", channels)
        summary = self.b.js("var s = document.querySelector('.subscribe-form details > summary');"
                            "var c = getComputedStyle(s); return [c.cursor, c.display];")
        self.assertEqual(summary, ["pointer", "list-item"])

    def test_9d_times_follow_one_rule(self):
        """First-hour issue 11: every time in the page's zone on the server, with the date; the
        footer too (it was UTC); the next-update promise keeps its date."""
        html = self.server_html
        footer = re.search(r'id="updated">Updated <time datetime="[^"]+">([^<]+)</time>', html).group(1)
        self.assertRegex(footer, r"^[A-Z][a-z]{2} \d\d, \d\d:\d\d CES?T$")
        nxt = re.search(r'Next update by <time datetime="[^"]+">([^<]+)</time>', html).group(1)
        self.assertRegex(nxt, r"^[A-Z][a-z]{2} \d\d, \d\d:\d\d CES?T$")
        self.open("/")
        shown = self.b.js("return document.querySelector('#updated time').textContent")
        self.assertNotIn("CET", shown)
        self.assertRegex(shown, r"\bE[SD]T\b")
        # The demo's resolved incident says 14:05-14:50 and its page agrees.
        incidents = self.herald.get(f"/v1/pages/{self.pid}/incidents", token=self.admin).json()
        past = next(i for i in incidents if i["name"] == "Card payments failing for some customers")
        page = self.herald.get(f"/incidents/{past['id']}").text
        self.assertRegex(page, r"Started <time[^>]+>[^<]*14:05 CES?T</time>, resolved <time[^>]+>[^<]*14:50 CES?T</time>")


if __name__ == "__main__":
    main()
