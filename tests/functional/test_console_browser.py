"""The operator console's sign-in pages and first screens in a real headless Chromium (base:
console_browser.py): signing in through the form found by its labels, the home screen, and axe-core
on the sign-in, home, account, team and invitation screens at desktop width and at 390 px."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from console_browser import PASSWORD, ConsoleBrowserCase  # noqa: E402
from harness import main, run_cli  # noqa: E402


class ConsoleBrowser(ConsoleBrowserCase):
    def test_1_sign_in_form_and_screens(self):
        self.b.get(self.herald.url + "/admin/login")
        self.check_screen("login")
        self.sign_in("admin@example.com")
        text = self.b.text()
        self.assertIn("Dashboard", text)
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

    def test_4_demo_prints_a_way_into_the_console(self):
        """`make run` (serve --demo) prints a one-time link for the demo admin: open it, choose a
        password, and the console opens."""
        line = next((x for x in self.herald.out_lines if x.startswith("console: choose the password")), None)
        self.assertTrue(line, self.herald.out_lines)
        link = line.split(" at ", 1)[1]
        self.assertTrue(link.startswith(self.herald.url + "/admin/invite/"), link)
        self.b.cmd("DELETE", "/cookie")
        self.b.get(link)
        self.assertIn("demo-admin@example.com", self.b.text())
        self.type_into("New password", "demo password 123")
        self.type_into("Repeat new password", "demo password 123")
        self.b.click(self.button("Set password and sign in"))
        self.wait_for("location.pathname === '/admin'", "the console after choosing the password")
        self.assertIn("demo-admin@example.com", self.b.text())

    def test_5_two_factor_screens(self):
        """Setting up two-factor sign-in and signing in with it, by labels, with axe on each step."""
        from test_console_two_factor import totp
        self.sign_in("responder@example.com")
        self.b.get(self.herald.url + "/admin/account")
        self.b.click(self.button("Set up two-factor sign-in"))
        self.wait_for("document.getElementById('two-factor-qr') !== null", "the QR code")
        self.check_screen("account-two-factor-setup")
        secret = self.b.js("return document.getElementById('two-factor-secret').textContent")
        self.type_into("2. Code from your app", totp(secret))
        self.b.click(self.button("Turn on two-factor sign-in"))
        self.wait_for("document.getElementById('recovery-codes') !== null", "the recovery codes")
        self.check_screen("account-recovery-codes")
        self.b.cmd("DELETE", "/cookie")
        self.b.get(self.herald.url + "/admin/login")
        self.type_into("Email", "responder@example.com")
        self.type_into("Password", PASSWORD)
        self.b.click(self.button("Sign in"))
        self.wait_for("location.pathname === '/admin/login/code'", "the code page")
        self.check_screen("login-code")
        self.type_into("Authentication code", totp(secret, step_offset=1))
        self.b.click(self.button("Verify"))
        self.wait_for("location.pathname === '/admin'", "the console after the code")

    def test_3_invitation_screen(self):
        link = run_cli("user", "reset", "--email", "newcomer@example.com", "--invite",
                       db=self.herald.db).stdout.strip().splitlines()[-1]
        path = link[link.index("/admin/invite/"):]
        self.b.get(self.herald.url + path)
        self.assertIn("Choose your password", self.b.text())
        self.check_screen("invite")


if __name__ == "__main__":
    main()
