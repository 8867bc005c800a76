"""The operator console's sign-in pages and first screens in a real headless Chromium (base:
console_browser.py): signing in through the form found by its labels, the home screen, and axe-core
on the sign-in, home, account, team and invitation screens at desktop width and at 390 px."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from console_browser import ConsoleBrowserCase  # noqa: E402
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

    def test_3_invitation_screen(self):
        link = run_cli("user", "reset", "--email", "newcomer@example.com", "--invite",
                       db=self.herald.db).stdout.strip().splitlines()[-1]
        path = link[link.index("/admin/invite/"):]
        self.b.get(self.herald.url + path)
        self.assertIn("Choose your password", self.b.text())
        self.check_screen("invite")


if __name__ == "__main__":
    main()
