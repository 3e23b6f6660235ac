"""申请表 on the applicant's own case page: each field as submitted, in the form's order, choices by
their label, 是/否, multiple choices joined with 、, empty fields left out, ID and phone numbers
masked — the same rows as the staff case page (formrender.answers), also when acting for an enterprise."""

import re

import pytest
from django.urls import reverse

from zhengwu.accounts import services
from zhengwu.cases.models import Case
from zhengwu.cases.services import applying
from zhengwu.core.identifiers import make_id_number, make_uscc

pytestmark = pytest.mark.django_db
PW = "Good#Pass2026"
ID = make_id_number("41010519900307123")

SCHEMA = {"type": "object", "x-order": ["shop_name", "kind", "chain", "items", "contact_phone", "manager_id", "note"],
          "properties": {
              "shop_name": {"type": "string", "title": "店铺名称"},
              "kind": {"type": "string", "title": "主体业态", "enum": ["sale", "food"],
                       "x-enum-titles": ["食品销售经营者", "餐饮服务经营者"]},
              "chain": {"type": "boolean", "title": "是否连锁经营"},
              "items": {"type": "array", "title": "经营项目", "items": {
                  "type": "string", "enum": ["pre", "hot"], "x-enum-titles": ["预包装食品销售", "热食类食品制售"]}},
              "contact_phone": {"type": "string", "title": "联系电话"},
              "manager_id": {"type": "string", "title": "食品安全管理员身份证号"},
              "note": {"type": "string", "title": "备注"},
          }}
DATA = {"note": "", "manager_id": ID, "contact_phone": "13912345678", "items": ["pre", "hot"], "chain": False,
        "kind": "food", "shop_name": "老王小吃"}


@pytest.fixture
def form_item(publish_item, dept):
    return publish_item(dept, "食品经营许可证核发", form_schema=SCHEMA, materials=[("营业执照", "required")])


def _card(html: str) -> list[tuple[str, str]]:
    card = html[html.index('id="application-form"'):]
    card = card[:card.index("</section>")]
    return [(t, v.strip()) for t, v in re.findall(r'<th scope="row"[^>]*>(.*?)</th><td>(.*?)</td>', card)]


EXPECTED = [("店铺名称", "老王小吃"), ("主体业态", "餐饮服务经营者"), ("是否连锁经营", "否"),
            ("经营项目", "预包装食品销售、热食类食品制售"), ("联系电话", "139****5678"),
            ("食品安全管理员身份证号", ID[:4] + "*" * 10 + ID[-4:])]


def test_applicant_sees_the_form_they_filled_in(login, make_citizen, form_item):
    citizen = make_citizen(name="王小吃")
    case = applying.create_draft(citizen, form_item, form_data=DATA)
    html = login(citizen).get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert "申请表" in html
    assert _card(html) == EXPECTED  # schema order; 备注 (empty) left out
    assert ID not in html and "13912345678" not in html and "food" not in _card(html)[1][1]


def test_staff_page_shows_the_same_answers(staff_client, window_staff, make_citizen, form_item, pdf):
    citizen = make_citizen(name="王小吃")
    case = applying.create_draft(citizen, form_item, form_data=DATA)
    applying.upload_material(citizen, case, pdf(), name="营业执照")
    case.refresh_from_db()
    case = applying.submit(citizen, case, case.lock_version)
    html = staff_client(window_staff).get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    for title, value in EXPECTED:
        assert re.search(rf"<th[^>]*>{re.escape(title)}</th><td>{re.escape(value)}</td>", html), title
    assert re.search(r"<th[^>]*>备注</th><td>—</td>", html)  # the staff page keeps the empty field
    assert ID not in html


def test_acting_for_an_enterprise_shows_its_case_form(login, make_citizen, form_item):
    enterprise = services.register_legal(name="示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT3Q"),
                                         legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                                         phone="13803710002", password=PW, password2=PW)
    person = make_citizen(name="李经办", id_body="41010519920101123")
    login(enterprise).post(reverse("accounts:agents"), {
        "name": "李经办", "id_number": person.applicant.id_number.reveal_unaudited(), "scope": ["apply", "view"]})
    client = login(person)
    client.post(reverse("accounts:acting"), {"enterprise": enterprise.applicant.pk})
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"',
                    client.get(reverse("cases:apply", args=[form_item.pk])).content.decode()).group(1)
    client.post(reverse("cases:apply", args=[form_item.pk]), {  # 保存草稿 as the enterprise, as a browser posts it
        "idempotency_key": key, "action": "save", "f_shop_name": "老王小吃", "f_kind": "food", "f_items": ["pre", "hot"],
        "f_contact_phone": "13912345678", "f_manager_id": ID, "f_note": ""})
    case = Case.objects.get()
    assert case.applicant_id == enterprise.applicant.pk
    html = client.get(reverse("cases:my_case", args=[case.pk])).content.decode()
    assert _card(html) == EXPECTED
