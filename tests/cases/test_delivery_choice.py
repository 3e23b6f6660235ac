"""送达: the applicant chooses how to receive the result when applying; the clerk's 登记送达 starts
from that choice, and a courier and a waybill are kept for 邮寄送达 only."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.rules import delivery_choice_problems
from zhengwu.cases.services import applying, approval, intake
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

ADDRESS = "河南省郑州市金水区花园路100号3单元201室"


@pytest.mark.parametrize("method, address, problem", [
    ("window", "", None), ("electronic", "", None), ("mail", ADDRESS, None),
    ("mail", "", "邮寄地址：选择邮寄送达时必填"),
    ("mail", "花园路", "邮寄地址：请写明省市区、街道和门牌号（至少8个字）"),
    ("pigeon", "", "结果领取方式：请选择窗口领取、邮寄送达、电子送达之一"),
])
def test_rule(method, address, problem):
    assert next(iter(delivery_choice_problems(method, address).values()), None) == problem


def material_field(item, name):
    return f"m_{item.published_version.materials.get(name=name).pk}"


def post(item, pdf, **delivery):
    data = {"idempotency_key": "d" * 32, "action": "submit", "f_shop_name": "老王小吃", "f_area": "30", **delivery}
    for name in ("食品经营许可申请书", "营业执照"):
        data[material_field(item, name)] = pdf(f"{name}.pdf")
    return data


def test_citizen_chooses_mail_with_an_address_kept_encrypted(login, citizen, item, pdf):
    client = login(citizen)
    page = client.get(reverse("cases:apply", args=[item.pk])).content.decode()
    assert 'name="delivery_method"' in page and 'data-zw-show-when="delivery_method=mail"' in page
    response = client.post(reverse("cases:apply", args=[item.pk]),
                           post(item, pdf, delivery_method="mail", delivery_address=ADDRESS))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == "submitted" and case.delivery_method == "mail"
    assert case.delivery_address.reveal_unaudited() == ADDRESS
    with connection.cursor() as cursor:
        cursor.execute("SELECT delivery_address FROM cases_case WHERE id = %s", [case.pk])
        assert "花园路" not in cursor.fetchone()[0]  # encrypted at rest


def test_mail_without_an_address_is_not_submitted(login, citizen, item, pdf):
    response = login(citizen).post(reverse("cases:apply", args=[item.pk]), post(item, pdf, delivery_method="mail"))
    assert response.status_code == 400
    assert "邮寄地址：选择邮寄送达时必填" in response.content.decode()
    assert Case.objects.get().state == "draft"


@pytest.fixture
def concluded(submitted_case, window_staff, approver):
    def make(method="", address=""):
        Case.objects.filter(pk=submitted_case.pk).update(delivery_method=method)
        if address:
            c = Case.objects.get(pk=submitted_case.pk)
            c.delivery_address = address
            c.save(update_fields=["delivery_address"])
        case = intake.accept(window_staff, Case.objects.get(pk=submitted_case.pk),
                             Case.objects.get(pk=submitted_case.pk).lock_version)
        for step in ("review", "decide"):
            case = Case.objects.get(pk=case.pk)
            approval.act_on_step(approver, case, step, "pass", case.lock_version)
        return Case.objects.get(pk=case.pk)
    return make


def test_the_clerks_form_starts_from_the_citizens_choice(staff_client, window_staff, concluded):
    case = concluded("mail", ADDRESS)
    page = staff_client(window_staff).get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    form = page[page.index('id="form-deliver"'):page.index("</form>", page.index('id="form-deliver"'))]
    radios = {re.search(r'value="(\w+)"', tag).group(1): "checked" in tag
              for tag in re.findall(r'<input[^>]*name="method"[^>]*>', form)}
    assert radios == {"window": False, "mail": True, "electronic": False}
    assert ADDRESS in form and "中国邮政EMS" not in form.replace('placeholder="如：中国邮政EMS"', "")
    assert 'data-zw-show-when="method=mail"' in form
    reveal = AuditEvent.objects.filter(action="pii.reveal").latest("seq")
    assert reveal.after["field"] == "delivery_address" and ADDRESS not in str(reveal.after)


def test_electronic_delivery_keeps_no_courier(staff_client, window_staff, concluded, login, citizen):
    case = concluded("electronic")
    page = staff_client(window_staff).get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    assert 'value="electronic"' in page and "申请人选择：<strong>电子送达" in page
    response = staff_client(window_staff).post(reverse("cases:staff_deliver", args=[case.pk]), {
        "lock_version": case.lock_version, "method": "electronic", "carrier": "中国邮政EMS", "tracking_number": "X1"})
    assert response.status_code == 302
    case = Case.objects.get(pk=case.pk)
    assert case.state == "delivered" and (case.result.carrier, case.result.tracking_number) == ("", "")
    mine = login(citizen).get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "电子送达" in mine and "EMS" not in mine and "运单号" not in mine


def test_service_drops_a_courier_given_with_window_pickup(window_staff, concluded):
    case = concluded()
    case = approval.deliver(window_staff, case, case.lock_version, "window", carrier="顺丰", tracking_number="SF1")
    assert (case.result.carrier, case.result.tracking_number, case.result.address) == ("", "", "")


def test_window_records_the_walk_in_applicants_choice(staff_client, window_staff, citizen, item, pdf):
    client = staff_client(window_staff)
    case = applying.create_draft(window_staff, item, applicant=citizen.applicant, channel="window")
    url = reverse("cases:staff_file_draft", args=[case.pk])
    assert 'id="delivery-card"' in client.get(url).content.decode()
    materials = {m.name: m.pk for m in item.published_version.materials.all()}
    data = {"lock_version": case.lock_version, "op": "save", "f_shop_name": "老王小吃", "f_area": "30",
            "delivery_method": "mail", "delivery_address": ""}
    page = client.post(url, data)
    assert "邮寄地址：选择邮寄送达时必填" in page.content.decode() and not Case.objects.get().delivery_method
    response = client.post(url, {**data, "op": "submit", "delivery_address": ADDRESS,
                                 f"file_{materials['食品经营许可申请书']}": pdf(), f"file_{materials['营业执照']}": pdf()})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == "submitted" and case.delivery_method == "mail"
    assert case.delivery_address.reveal_unaudited() == ADDRESS


def test_case_page_shows_the_chosen_method_and_the_masked_address(login, citizen, item, pdf):
    """The applicant's case page says how the result will reach them: 邮寄送达 and where to (masked,
    as personal data is everywhere a page shows it); the timeline entry names the method."""
    client = login(citizen)
    client.post(reverse("cases:apply", args=[item.pk]), post(item, pdf, delivery_method="mail", delivery_address=ADDRESS))
    case = Case.objects.get()
    page = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    shown = re.search(r'<dd[^>]*id="case-delivery"[^>]*>(.*?)</dd>', page, re.S)
    assert shown and "邮寄送达" in shown.group(1) and "河南省郑州市****" in shown.group(1)
    assert ADDRESS not in page and "花园路100号" not in page
    timeline = page[page.index('id="timeline"'):]
    assert re.search(r'data-action="delivery_choice".*?领取方式：邮寄送达', timeline, re.S)


def test_case_page_shows_window_pickup_without_an_address(login, citizen, item, pdf):
    client = login(citizen)
    client.post(reverse("cases:apply", args=[item.pk]), post(item, pdf, delivery_method="window"))
    case = Case.objects.get()
    page = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    shown = re.search(r'<dd[^>]*id="case-delivery"[^>]*>(.*?)</dd>', page, re.S)
    assert shown and "窗口领取" in shown.group(1) and "****" not in shown.group(1)
