"""The demo's most used items have 申报表单 (issue 22 item 11): the application page renders each
form with what the account already knows filled in, names every missing or bad field in Chinese,
and takes a correct application with its typed values."""

from __future__ import annotations

import re
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# What an applicant types (as the browser posts it) for the fields that are not prefilled.
TYPED = {
    "出生登记": {"relation": "母亲", "baby_name": "张小宝", "baby_gender": "女", "birth_date": "2026-11-20",
             "birth_certificate_no": "R410123456", "birth_place": "郑州大学第三附属医院", "ethnicity": "汉族",
             "settle_with": "随父落户", "household_address": "郑州市金水区农业路8号院3号楼501室"},
    "居民身份证换领": {"reason": "有效期满", "old_expiry": "2026-12-31", "collect": "免费邮寄送达",
                "mail_address": "郑州市金水区农业路8号院3号楼501室 张小民收"},
    "无犯罪记录证明开具": {"purpose": "就业", "receiving_unit": "郑州某某科技有限公司"},
    "个体工商户设立登记": {"trade_name": "金水区小民早餐店", "organisation": "个人经营",
                   "shop_address": "郑州市金水区经三路68号1层", "business_scope": "餐饮服务、预包装食品销售",
                   "capital": "５", "employees": "3"},
    "企业设立登记": {"company_name": "郑州小民餐饮管理有限公司", "company_type": "自然人独资有限责任公司",
               "registered_capital": "50", "legal_representative": "张小民",
               "shop_address": "郑州市金水区经三路68号1层", "business_scope": "餐饮服务、餐饮管理", "shareholders": "1"},
    "食品经营许可证核发": {"shop_address": "郑州市金水区经三路68号1层", "main_business": "餐饮服务经营者",
                  "business_items": ["热食类食品制售", "自制饮品制售"], "area": "86.5", "safety_manager": "刘企业"},
    "失业保险金申领": {"last_employer": "郑州某某商贸有限公司", "separation_date": "2026-10-31",
                "separation_reason": "劳动合同期满终止", "bank": "郑州银行"},
    "社会保障卡申领": {"card_holder": "张小民", "bank": "中国建设银行", "collect": "窗口领取"},
    "异地就医备案": {"filing_type": "异地长期居住人员", "destination": "海南省海口市", "start_date": "2026-12-01"},
    "住房公积金提取（租赁住房）": {"rental_address": "郑州市金水区纬五路12号2号楼302室", "monthly_rent": "1800",
                      "lease_start": "2026-01-01", "lease_end": "2026-12-31", "amount": "9000"},
}


def _items_with_forms():
    from zhengwu.catalog.models import ServiceItem

    return [i for i in ServiceItem.objects.filter(region__code="410105000000", status="published")
            .select_related("published_version", "department").order_by("pk") if i.published_version.form_schema]


def _applicant(item):
    """The demo enterprise for items whose form carries enterprise data or that serve 法人 only (服务对象),
    else the demo citizen."""
    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.demo import CITIZEN_ID, ENTERPRISE_USCC
    from zhengwu.accounts.models import User

    props = item.published_version.form_schema["properties"]
    enterprise = item.service_object == "legal" or any(p.get("x-prefill") == "uscc" for p in props.values())
    return User.objects.get(username=login_username(ENTERPRISE_USCC if enterprise else CITIZEN_ID))


def _key(response) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def _materials(item) -> dict:
    return {f"m_{m.pk}": SimpleUploadedFile(f"{m.name}.pdf", PDF, content_type="application/pdf")
            for m in item.published_version.materials.filter(necessity="required")}


def test_the_most_used_demo_items_have_valid_forms(demo):
    from zhengwu.cases.forms_schema import check_schema

    items = _items_with_forms()
    assert len(items) >= 8
    assert len({i.department_id for i in items}) >= 4  # 公安、市场监管、人社、医保、公积金…
    assert {"出生登记", "食品经营许可证核发", "企业设立登记", "住房公积金提取（租赁住房）"} <= {i.name for i in items}
    for item in items:
        schema = item.published_version.form_schema
        assert check_schema(schema) == [], item.name
        props = schema["properties"]
        assert set(schema["x-order"]) == set(props), item.name  # an order PostgreSQL's jsonb cannot lose
        assert len(props) >= 3 and set(schema["required"]) <= set(props), item.name
        for key, prop in props.items():  # the form never stores an ID or phone number in clear
            assert not re.search(r"身份证|证件号|电话|手机", prop["title"]), (item.name, key)
            # A choice must survive the NFKC normalisation of posted text (（ would come back as ( ).
            for value in prop.get("enum") or (prop.get("items") or {}).get("enum") or []:
                assert unicodedata.normalize("NFKC", value) == value, (item.name, key, value)


def test_the_application_page_renders_each_form_and_checks_the_submission(demo, client):
    from zhengwu.cases.models import Case

    items = _items_with_forms()
    assert {i.name for i in items} <= set(TYPED), "a demo form without typed values in this test"
    for item in items:
        schema = item.published_version.form_schema
        user = _applicant(item)
        client.force_login(user)
        url = reverse("cases:apply", args=[item.pk])
        page = client.get(url)
        html = page.content.decode()
        assert page.status_code == 200, item.name
        assert "无需填写申请表" not in html, item.name
        for prop in schema["properties"].values():
            assert prop["title"] in html, (item.name, prop["title"])
        prefilled = {k: p["x-prefill"] for k, p in schema["properties"].items() if p.get("x-prefill")}
        for key, source in prefilled.items():
            known = getattr(user.applicant, source)
            if known:
                assert re.search(rf'name="f_{key}"[^>]*value="{re.escape(known)}"[^>]*readonly', html) or \
                    re.search(rf'value="{re.escape(known)}"[^>]*name="f_{key}"[^>]*readonly', html), (item.name, key)

        # Nothing typed: every required field that is not prefilled is named, nothing is submitted.
        empty = client.post(url, {"idempotency_key": _key(page), "action": "submit", **_materials(item)})
        assert empty.status_code == 400, item.name
        text = empty.content.decode()
        for key in schema["required"]:
            if key not in prefilled:
                assert f"{schema['properties'][key]['title']}：必填" in text, (item.name, key)
        assert not Case.objects.filter(service_item=item, state="submitted").exists()

        # Typed as an applicant would: submitted, with typed values (numbers, dates, lists).
        typed = TYPED[item.name]
        post = {"idempotency_key": _key(client.get(url + "?new=1")), "action": "submit", **_materials(item)}  # not the draft left above
        for key, value in typed.items():
            post[f"f_{key}"] = value
        done = client.post(url, post)
        assert done.status_code == 302, (item.name, re.findall(r'class="invalid-feedback[^"]*">([^<]+)<', done.content.decode()))
        case = Case.objects.get(service_item=item, state="submitted")
        for key in typed:
            assert key in case.form_data, (item.name, key)
        for key, source in prefilled.items():
            if getattr(user.applicant, source):
                assert case.form_data[key] == getattr(user.applicant, source)
        for key, prop in schema["properties"].items():
            if key in case.form_data and prop.get("type") in ("number", "integer"):
                assert isinstance(case.form_data[key], int | float), (item.name, key)


def test_a_bad_value_is_named_with_its_rule(demo, client):
    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import User
    from zhengwu.catalog.models import ServiceItem

    client.force_login(User.objects.get(username=login_username(CITIZEN_ID)))
    item = ServiceItem.objects.get(region__code="410105000000", name="出生登记")
    url = reverse("cases:apply", args=[item.pk])
    post = {"idempotency_key": _key(client.get(url)), "action": "submit", **_materials(item),
            **{f"f_{k}": v for k, v in TYPED["出生登记"].items()}, "f_birth_certificate_no": "12345",
            "f_birth_date": "2026-13-01"}
    response = client.post(url, post)
    text = response.content.decode()
    assert response.status_code == 400
    assert "出生医学证明编号：格式不正确" in text
    assert "出生日期：日期格式应为 年-月-日" in text
