"""无障碍 (WCAG 2.1 AA, axe-core) on the registry's workbench pages: the licence list, a licence's
page with its 变更 and 注销/吊销 forms open, the 证照类型 list and editor with an error shown."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_registry_pages_pass_axe(live_server, browser, demo_people, login):
    from zhengwu.licenses import demo
    from zhengwu.licenses.models import Licence, LicenceType
    from zhengwu.org.models import Role, RoleGrant
    from zhengwu.accounts.models import User

    demo.load(io.StringIO())
    licence = Licence.objects.get(type__name="营业执照")
    admin = RoleGrant.objects.get(user__username="bumen_sj", role=Role.DEPT_ADMIN)
    RoleGrant.objects.create(user=User.objects.get(username="bumen_sj"), role=Role.ITEM_ADMIN, region=admin.region)
    base, axe, failures = live_server.url, Axe(), []

    def check(page, where):
        for v in axe.run(page, options=WCAG_AA).response["violations"]:
            failures.extend(f"{where}: {v['id']} {n['target']}" for n in v["nodes"])

    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "bumen_sj")
    page.goto(f"{base}/workbench/licences/")
    check(page, "list")
    page.goto(f"{base}/workbench/licences/{licence.pk}/")
    page.locator("#change-licence summary").click()
    page.locator("#end-licence summary").click()
    check(page, "detail")
    page.goto(f"{base}/workbench/licences/types/")
    check(page, "types")
    page.goto(f"{base}/workbench/licences/types/{LicenceType.objects.get(name='营业执照').pk}/")
    page.fill("#code", "123")
    with page.expect_navigation(wait_until="load"):
        page.click("#type-save")
    assert "证照类型代码应为21位" in page.locator("#type-errors").inner_text()
    check(page, "type form")
    assert failures == []
