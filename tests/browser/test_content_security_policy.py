"""Every main page works under the Content-Security-Policy: the browser reports no violation.

The policy (settings.CONTENT_SECURITY_POLICY) allows scripts and styles from our own origin only;
an inline <script>, an onclick= or a style="" left in a template is refused by the browser and
reported here. The pages are walked as their users walk them, with the scripts that run on them
(the application form, the hotline console's suggestions, the rating tablet, Swagger UI, the admin)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Runs before any page script (and is not subject to the page's policy): keeps every violation.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


class Watched:
    """A browser page that records CSP violations (event and console) and says where they were."""

    def __init__(self, browser, base):
        self.base = base
        self.page = browser.new_context(locale="zh-CN").new_page()
        self.page.add_init_script(WATCH)
        self.console: list[str] = []
        self.page.on("console", lambda msg: self.console.append(msg.text)
                     if "Content Security Policy" in msg.text or "Content-Security-Policy" in msg.text else None)
        self.seen: list[str] = []

    def visit(self, path):
        response = self.page.goto(self.base + path, wait_until="load")
        assert response.status < 400, (path, response.status)
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), path
        self.check(path)

    def check(self, where):
        self.page.wait_for_timeout(200)  # let late scripts (Swagger UI, fetches) run
        found = self.page.evaluate("window.__csp || []") + self.console
        self.console = []
        assert not found, f"CSP violations on {where}: {found}"
        self.seen.append(where)

    def login(self, username):
        from zhengwu.org.demo import DEMO_PASSWORD

        self.visit("/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        with self.page.expect_navigation(wait_until="load"):
            self.page.click("#login-submit")
        self.check(f"after login as {username}")


def test_main_pages_have_no_csp_violation(live_server, browser, food_licence_item):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case

    item = food_licence_item()

    anonymous = Watched(browser, live_server.url)
    for path in ("/", "/items/search/?q=食品经营", f"/items/{item.pk}/", "/items/departments/", "/ratings/screen/",
                 "/api/v1/docs"):
        anonymous.visit(path)
    expect(anonymous.page.locator(".swagger-ui .info .title")).to_contain_text("政务服务平台 API", timeout=30_000)  # served locally
    anonymous.check("/api/v1/docs after Swagger UI ran")

    citizen = Watched(browser, live_server.url)
    citizen.login(CITIZEN_ID)
    citizen.visit(f"/cases/apply/{item.pk}/")
    citizen.page.get_by_label("店铺名称").fill("老王小吃")
    citizen.page.locator('[data-material="食品经营许可申请书"] input[type=file]').set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with citizen.page.expect_navigation(wait_until="load"):
        citizen.page.click("#btn-submit")
    citizen.check("after applying")
    case = Case.objects.get(service_item=item)
    citizen.visit(f"/cases/{case.pk}/")

    window = Watched(browser, live_server.url)
    window.login("chuangkou")
    for path in ("/workbench/", "/workbench/cases/intake/", f"/workbench/cases/{case.pk}/", "/workbench/cases/file/",
                 "/workbench/ratings/tablet/"):
        window.visit(path)

    admin = Watched(browser, live_server.url)
    admin.login("admin")
    for path in ("/admin/", "/admin/axes/accessattempt/", "/admin/accounts/user/"):
        admin.visit(path)

    hotline = Watched(browser, live_server.url)
    hotline.login("rexian")
    hotline.visit("/workbench/hotline/console/")
    hotline.page.fill("#f-content", "经八路一家饭店后厨卫生脏乱差")  # the console's script fetches suggestions
    expect(hotline.page.locator("#suggest-status")).to_have_text("")
    hotline.check("/workbench/hotline/console/ after typing")
