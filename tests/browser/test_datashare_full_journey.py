"""Journey (数据共享, issue 24): a department requests a 人口库 resource → the provider approves →
the 数据管理员 countersigns (有条件共享) → the requester collects its key → its system verifies a
person with that key (一致) → the citizen sees the use in 数据使用记录."""

import json
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _post(url: str, secret: str, payload: dict) -> dict:
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "X-Api-Key": secret})
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


def test_request_approve_countersign_key_verifies_citizen_sees_use(live_server, browser, demo_people, login):
    from tests.datashare import sharing_factories as sf
    from tests.datashare import verify_factories as vf
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import Applicant
    from zhengwu.datashare.models import QueryCall, ShareRequest
    from zhengwu.org.models import Department

    applicant = Applicant.objects.get(**Applicant._meta.get_field("id_number").lookup(CITIZEN_ID))
    market = Department.objects.get(short_name="市场监管局")
    police = Department.objects.get(short_name="公安分局")
    res = sf.resource(market, name="从业人员身份信息", share_type="conditional", registry="person",
                      fields=[("id_number", "公民身份号码", ""), ("name", "姓名", ""), ("gender", "性别", ""),
                              ("birth_date", "出生日期", "")])
    vf.person(CITIZEN_ID, applicant.name)
    base = live_server.url

    # 公安分局 asks for the resource.
    consumer = browser.new_context(locale="zh-CN").new_page()
    login(consumer, base, "shenpi_ga")
    consumer.goto(f"{base}/workbench/data/share-requests/new/")
    consumer.select_option("#resource", str(res.pk))
    with consumer.expect_navigation(wait_until="load"):
        consumer.click("#resource-choose")
    consumer.check("#field-id_number")
    consumer.check("#field-name")
    consumer.fill("#purpose", "办理特种行业许可时核验从业人员身份")
    consumer.fill("#legal_basis", "《旅馆业治安管理办法》第四条")
    with consumer.expect_navigation(wait_until="load"):
        consumer.click("#share-submit")
    expect(consumer.locator("#share-state")).to_have_text("待提供方审核")
    req = ShareRequest.objects.get(resource=res)

    # The provider approves; the bureau countersigns.
    provider = browser.new_context(locale="zh-CN").new_page()
    login(provider, base, "bumen_sj")
    provider.goto(f"{base}/workbench/data/share-requests/{req.pk}/")
    with provider.expect_navigation(wait_until="load"):
        provider.click("#approve-submit")
    expect(provider.locator("#share-state")).to_have_text("待管理机构会签")
    bureau = browser.new_context(locale="zh-CN").new_page()
    login(bureau, base, "shuju")
    bureau.goto(f"{base}/workbench/data/share-requests/{req.pk}/")
    with bureau.expect_navigation(wait_until="load"):
        bureau.click("#countersign-submit")
    expect(bureau.locator("#share-state")).to_have_text("已批准")

    # The requester collects the key, once; its system verifies the citizen with it.
    consumer.reload()
    with consumer.expect_navigation(wait_until="load"):
        consumer.click("#key-collect-submit")
    secret = consumer.locator("#key-secret").input_value()
    purpose = "特种行业从业人员身份核验"
    verify = f"{base}/api/v1/data/verify/person"
    assert _post(verify, secret, {"id_number": CITIZEN_ID, "name": applicant.name, "purpose": purpose}) == \
        {"result": "一致"}
    assert _post(verify, secret, {"id_number": CITIZEN_ID, "name": "李四", "purpose": purpose}) == {"result": "不一致"}
    assert QueryCall.objects.filter(consumer=police, resource=res, kind="verify").count() == 2

    # The citizen sees who checked, when and what for.
    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, base, CITIZEN_ID)
    with citizen.expect_navigation(wait_until="load"):
        citizen.click("#nav-my-data-uses")
    table = citizen.locator("#data-uses")
    expect(table).to_contain_text(police.name)
    expect(table).to_contain_text(purpose)
    expect(table.locator(".data-use-row")).to_have_count(2)
