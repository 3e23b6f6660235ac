"""Journey (查询核验, issue 24): a department's system checks a citizen's identity with its 应用密钥;
the citizen logs in, opens 数据使用记录 and sees who checked it, when and what for."""

import json
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_citizen_sees_a_use_made_by_a_key(live_server, browser, demo_people, login):
    from tests.datashare import verify_factories as vf
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import Applicant
    from zhengwu.org.models import Department

    applicant = Applicant.objects.get(**Applicant._meta.get_field("id_number").lookup(CITIZEN_ID))
    police = Department.objects.filter(name__contains="公安").first() or Department.objects.first()
    consumer = Department.objects.exclude(pk=police.pk).filter(name__contains="人社").first() \
        or Department.objects.exclude(pk=police.pk).first()
    res = vf.resource(police, "person")
    key, secret = vf.key("社保待遇资格认证系统", department=consumer)
    vf.grant(key, res, consumer)
    vf.person(CITIZEN_ID, applicant.name)

    body = json.dumps({"id_number": CITIZEN_ID, "name": applicant.name, "purpose": "社保待遇资格认证"}).encode()
    req = urllib.request.Request(f"{live_server.url}/api/v1/data/verify/person", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "X-Api-Key": secret})
    with urllib.request.urlopen(req) as resp:
        assert json.loads(resp.read()) == {"result": "一致"}

    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server.url, CITIZEN_ID)
    with page.expect_navigation(wait_until="load"):
        page.click("#nav-my-data-uses")
    table = page.locator("#data-uses")
    expect(table).to_contain_text(consumer.name)
    expect(table).to_contain_text("社保待遇资格认证")
    expect(table.locator(".data-use-row").first).to_contain_text("一致")
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert not violations, [f"{v['id']} {[n['target'] for n in v['nodes']]}" for v in violations]
