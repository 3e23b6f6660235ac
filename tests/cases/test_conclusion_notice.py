"""办结: the applicant is told the result (准予/不予 and why), the e-licence issued with it (named and
linked to its 我的证照 page) and how the result is collected — in the 站内消息 and the SMS; the case
pages (citizen and staff) show the licence the case issued, with a link."""

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.cases import rules
from zhengwu.cases.models import Case, Notification, SmsMessage
from zhengwu.cases.services import approval

pytestmark = pytest.mark.django_db

FIELDS = [{"key": "name", "label": "名称", "type": "string", "required": True},
          {"key": "shop_name", "label": "店铺名称", "type": "string", "required": True}]


@pytest.fixture
def licence_type(dept):
    from zhengwu.licenses.services import types

    return types.create_type(None, {
        "name": "食品经营许可证", "code": dept.uscc + "001", "holder_kind": "person", "departments": [dept.pk],
        "validity_years": "5", "fields_schema": FIELDS, "title": "食品经营许可证", "field_order": ["shop_name", "name"],
        "seal_x": 380, "seal_y": 160})


def fresh(case):
    return Case.objects.get(pk=case.pk)


def conclude(case, approver, action="pass"):
    if action == "reject":
        approval.act_on_step(approver, case, "review", "reject", case.lock_version, "经营场所不符合要求")
    else:
        approval.act_on_step(approver, case, "review", "pass", case.lock_version)
        case = fresh(case)
        approval.act_on_step(approver, case, "decide", "pass", case.lock_version, "符合条件")
    return fresh(case)


def last_message(case):
    return Notification.objects.filter(case=case).latest("pk")


@pytest.mark.parametrize("outcome, reason, licence, delivery, says, never", [
    ("approved", "符合条件", ("食品经营许可证", "ZW001"), "window",
     ["办理结果：准予", "已发放电子证照“食品经营许可证”（证照编号 ZW001）", "我的证照", "到窗口领取"], ["不予", "符合条件"]),
    ("approved", "", None, "mail", ["办理结果：准予", "邮寄送达"], ["证照"]),
    ("denied", "经营场所不符合要求", None, "electronic",
     ["办理结果：不予准予", "理由：经营场所不符合要求", "行政复议"], ["证照", "办理结果：准予"]),
])
def test_conclusion_wording(outcome, reason, licence, delivery, says, never):
    name, number = licence or ("", "")
    text = rules.conclusion_notice("N1", outcome, reason, name, number, delivery)
    assert text.startswith("您的办件（编号 N1）已办结")
    for s in says:
        assert s in text, s
    for s in never:
        assert s not in text, s


def test_approval_tells_the_result_and_links_the_licence(licence_type, accepted_case, approver, citizen, settings):
    from zhengwu.licenses.models import Licence

    settings.ZHENGWU_PUBLIC_URL = "https://zwfw.example.gov.cn"
    case = conclude(accepted_case, approver)
    licence = Licence.objects.get(case=case)
    link = reverse("licenses:my_licence", args=[licence.pk])
    message = last_message(case)
    assert message.recipient_id == citizen.pk
    assert "办理结果：准予" in message.body
    assert f"已发放电子证照“食品经营许可证”（证照编号 {licence.number}）" in message.body
    assert message.link == link
    sms = SmsMessage.objects.filter(case=case).latest("pk")
    assert "办理结果：准予" in sms.body and licence.number in sms.body
    assert f"https://zwfw.example.gov.cn{link}" in sms.body
    c = Client()
    c.force_login(citizen)
    page = c.get(reverse("cases:notifications")).text
    assert f'href="{link}"' in page and "查看证照" in page


def test_denial_tells_the_result_and_the_reason(licence_type, accepted_case, approver):
    case = conclude(accepted_case, approver, "reject")
    message = last_message(case)
    assert "办理结果：不予准予" in message.body and "经营场所不符合要求" in message.body
    assert "证照" not in message.body and message.link == ""


def test_case_pages_link_the_issued_licence(licence_type, accepted_case, approver, citizen, staff_client):
    from zhengwu.licenses.models import Licence

    case = conclude(accepted_case, approver)
    licence = Licence.objects.get(case=case)
    c = Client()
    c.force_login(citizen)
    mine = c.get(reverse("cases:my_case", args=[case.pk])).text
    assert f'href="{reverse("licenses:my_licence", args=[licence.pk])}"' in mine
    assert licence.number in mine and "食品经营许可证" in mine
    staff = staff_client(approver).get(reverse("cases:staff_case", args=[case.pk])).text
    assert f'href="{reverse("licenses:staff_licence", args=[licence.pk])}"' in staff
    assert licence.number in staff
