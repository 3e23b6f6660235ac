"""Playwright in the system Chromium (no browser download): headless, sandbox off as root."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("ZHENGWU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    if os.environ.get("ZHENGWU_REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def demo_people(transactional_db):
    """The demo district's organisation and accounts (the journeys log in as the demo users)."""
    import io

    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    load_accounts(io.StringIO())


@pytest.fixture
def login():
    """login(page, base_url, username): sign in on the login page with the demo password (the
    people of :func:`demo_people`) and wait until the page it leads to has loaded."""
    from zhengwu.org.demo import DEMO_PASSWORD

    def log_in(page, base, username):
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.click("#login-submit")

    return log_in


@pytest.fixture
def food_licence_item(demo_people, publish_item):
    """food_licence_item(materials=("食品经营许可申请书", …), **version) — 食品经营许可证核发 of the demo
    市场监管局, published, applied for online with a one-field form (店铺名称) and required materials."""
    from zhengwu.org.models import Department

    def make(materials=("食品经营许可申请书",), **version):
        market = Department.objects.get(short_name="市场监管局")
        fields = {
            "item_type": "01", "service_object": "both", "case_type": "committed", "statutory_days": 20,
            "promised_days": 10, "online_depth": 4, "visits": 0, "channels": ["online", "window"],
            "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "form_schema": {"type": "object", "required": ["shop_name"], "properties": {
                "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2}}},
            **version,
        }
        return publish_item(market, "食品经营许可证核发", region=market.region,
                            materials=[(name, "required") for name in materials], **fields)

    return make
