"""Journey (行政许可法第四十二条): an approver asks to extend a case's time → the 负责人 (领导) approves
it on 延期审批 → the citizen reads the new date and the reason on their case page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.browser.test_online_case_journey import PDF, _submit, item  # noqa: F401 (item: the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_extension_requested_approved_and_shown_to_the_citizen(live_server, browser, item, login):  # noqa: F811
    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import User
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import applying, intake

    citizen_user = User.objects.get(username=login_username(CITIZEN_ID))
    case = applying.create_draft(citizen_user, item, form_data={"shop_name": "老王小吃"})
    for name in ("食品经营许可申请书", "经营场所使用证明"):
        applying.upload_material(citizen_user, case, SimpleUploadedFile(f"{name}.pdf", PDF), name=name)
    case.refresh_from_db()
    case = applying.submit(citizen_user, case, case.lock_version)
    intake.accept(User.objects.get(username="chuangkou"), case, case.lock_version)
    before = Case.objects.get(pk=case.pk).due_date
    base = live_server.url

    desk = browser.new_context(locale="zh-CN").new_page()
    login(desk, base, "shenpi_sj")
    desk.goto(f"{base}/workbench/cases/{case.pk}/")
    desk.fill("#extension_reason", "需组织集体研究，期限内不能作出决定")
    _submit(desk, "#btn-extension")
    assert "待负责人审批" in desk.locator("#panel-extension").inner_text()

    boss = browser.new_context(locale="zh-CN").new_page()
    login(boss, base, "lingdao")
    boss.goto(f"{base}/workbench/cases/extensions/")
    card = boss.locator("[id^=extension-]").first
    assert "需组织集体研究" in card.inner_text()
    card.locator("input[value=approve]").check()
    _submit(boss, "[id^=btn-decide-]")
    assert "已批准" in boss.content() and boss.locator("#no-extensions").count() == 1

    after = Case.objects.get(pk=case.pk).due_date
    assert after > before
    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/cases/{case.pk}/")
    text = citizen.content()
    assert "办理期限延长10个工作日" in text and "需组织集体研究" in text and after.isoformat() in text
