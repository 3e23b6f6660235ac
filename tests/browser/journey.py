"""Helpers of the browser journeys walked under the strict CSP (a page records every violation)."""

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def demo_people():
    """The demo district's organisation and accounts (the journeys log in as the demo users)."""
    import io

    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    load_accounts(io.StringIO())


def new_page(browser):
    page = browser.new_context(locale="zh-CN").new_page()
    page.add_init_script(WATCH)
    return page


def no_csp(page):
    page.wait_for_timeout(100)
    assert page.evaluate("window.__csp || []") == []


def log_in(page, base, username):
    from zhengwu.org.demo import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.click("#login-submit")


def submit(page, selector):
    with page.expect_navigation(wait_until="load"):
        page.click(selector)
