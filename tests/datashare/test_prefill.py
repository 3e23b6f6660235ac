"""少填免填 on the online form (with and without consent) and 窗口查询 at the window."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.datashare import verify_factories as vf
from zhengwu.datashare import prefill
from zhengwu.datashare.models import QueryCall

SCHEMA = {"type": "object", "required": ["name", "shop_name"], "properties": {
    "name": {"type": "string", "title": "姓名"},
    "gender": {"type": "string", "title": "性别", "enum": ["男", "女"]},
    "birth_date": {"type": "string", "format": "date", "title": "出生日期"},
    "home": {"type": "string", "title": "户籍地址", "x-registry": "household_address"},
    "phone": {"type": "string", "title": "联系电话"},
    "shop_name": {"type": "string", "title": "店铺名称"},
}}


@pytest.fixture
def dept(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def item(publish_item, dept):
    return publish_item(dept, "个体工商户登记", form_schema=SCHEMA)


@pytest.fixture
def citizen(make_citizen):
    user = make_citizen(name="王小吃")
    vf.person(user.applicant.id_number.reveal_unaudited(), "王小吃", gender="女")
    return user


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_matching_keys_and_values_are_pure():
    keys = prefill.matching_keys(SCHEMA, "person")
    assert keys == {"name": "name", "gender": "gender", "birth_date": "birth_date", "home": "household_address"}
    assert "phone" not in keys  # never copied into form data
    assert prefill.form_value({"enum": ["男", "女"]}, "未知") is None
    assert prefill.form_value({"type": "integer"}, "12") is None


def test_without_consent_nothing_is_read(citizen, item):
    c = login(citizen)
    page = c.get(reverse("cases:apply", args=[item.pk]))
    assert 'id="btn-registry-prefill"' in page.text and "人口库" in page.text
    r = c.post(reverse("cases:apply", args=[item.pk]), {"idempotency_key": uuid.uuid4().hex, "action": "prefill",
                                                        "f_shop_name": "小吃店"})
    assert r.status_code == 400 and "请先勾选同意" in r.text
    assert QueryCall.objects.count() == 0


def test_with_consent_fills_empty_fields_and_records(citizen, item, dept):
    c = login(citizen)
    r = c.post(reverse("cases:apply", args=[item.pk]), {
        "idempotency_key": uuid.uuid4().hex, "action": "prefill", "registry_consent": "1",
        "f_shop_name": "小吃店", "f_name": "自己填的"})
    assert r.status_code == 200
    text = r.text
    assert 'value="自己填的"' in text  # typed values are kept
    assert 'value="1990-03-07"' in text and "河南省郑州市金水区花园路1号" in text
    assert '<option value="女" selected>' in text
    assert "13800001111" not in text
    from zhengwu.cases.models import Case

    assert not Case.objects.exists()  # nothing saved: the form is shown again, filled
    call = QueryCall.objects.get()
    assert call.kind == "prefill" and call.consumer_id == dept.pk and call.purpose == "少填免填：个体工商户登记"
    assert call.subject_index == citizen.applicant.id_number_index and call.result == "found"
    assert "household_address" in call.fields and "phone" not in call.fields


def test_not_in_registry_says_so(make_citizen, item):
    user = make_citizen(name="无记录")
    r = login(user).post(reverse("cases:apply", args=[item.pk]), {
        "idempotency_key": uuid.uuid4().hex, "action": "prefill", "registry_consent": "1"})
    assert "没有找到您的信息" in r.text and QueryCall.objects.get().result == "not_found"


# -- 窗口查询 ---------------------------------------------------------------------------------------
@pytest.fixture
def clerk(make_staff, dept):
    return make_staff("window", department=dept)


def test_window_check_match_prefills_registration(clerk, dept):
    from zhengwu.core.identifiers import make_id_number

    number = make_id_number("41010519851231888")
    vf.person(number, "赵大爷")
    c = login(clerk)
    page = c.post(reverse("cases:staff_file"), {"op": "registry_check", "id_number": number, "name": "赵大爷"})
    assert page.status_code == 200
    assert 'id="registry-check-verdict">一致<' in page.text
    assert 'id="btn-register"' in page.text and 'value="赵大爷"' in page.text  # registration prefilled
    assert "花园路1号" not in page.text  # the address is masked
    row = QueryCall.objects.get()
    assert row.kind == "lookup" and row.consumer_id == dept.pk and row.result == "match"
    page = c.post(reverse("cases:staff_file"), {"op": "registry_check", "id_number": number, "name": "赵小爷"})
    assert 'id="registry-check-verdict">不一致<' in page.text and 'id="btn-register"' not in page.text
    assert QueryCall.objects.filter(result="mismatch").count() == 1


def test_window_check_bad_number(clerk):
    page = login(clerk).post(reverse("cases:staff_file"), {"op": "registry_check", "id_number": "123", "name": "x"})
    assert "身份证号：" in page.text and QueryCall.objects.count() == 0


def test_window_draft_filled_from_registry(clerk, citizen, item, dept):
    from zhengwu.cases.models import Channel
    from zhengwu.cases.services import applying

    case = applying.create_draft(clerk, item, applicant=citizen.applicant, channel=Channel.WINDOW,
                                 idempotency_key="win-fill-1")
    c = login(clerk)
    page = c.post(reverse("cases:staff_file_draft", args=[case.pk]), {"op": "registry_fill"})
    assert page.status_code == 200 and 'id="btn-registry-fill"' in page.text
    assert 'value="1990-03-07"' in page.text
    case.refresh_from_db()
    assert "birth_date" not in (case.form_data or {})  # shown, not saved
    row = QueryCall.objects.get()
    assert row.kind == "lookup" and row.consumer_id == dept.pk and row.purpose == "窗口代录：个体工商户登记"


# -- nothing to fill is not "not found" ------------------------------------------------------------
NO_REGISTRY_FIELD = {"type": "object", "properties": {"shop_name": {"type": "string", "title": "店铺名称"}}}


def test_nothing_to_fill_is_told_apart_from_not_found(citizen, item):
    nothing = prefill.from_registry(citizen.applicant, item, {})
    assert nothing.nothing_to_fill and not nothing.found and nothing.values == {}
    assert prefill.from_registry(citizen.applicant, item, NO_REGISTRY_FIELD).nothing_to_fill
    assert QueryCall.objects.count() == 0  # nothing to fill: the registry is not read
    found = prefill.from_registry(citizen.applicant, item, SCHEMA)
    assert found.found and not found.nothing_to_fill


@pytest.mark.parametrize("schema", [{}, NO_REGISTRY_FIELD], ids=["no-form", "no-registry-field"])
def test_window_draft_without_fillable_field(clerk, citizen, publish_item, dept, schema):
    """临时救助 has no form: no 从基础库填写 button, and a stale post never says the applicant is
    missing from the registry (the 人口库 has them)."""
    from zhengwu.cases.models import Channel
    from zhengwu.cases.services import applying

    relief = publish_item(dept, "临时救助", form_schema=schema)
    case = applying.create_draft(clerk, relief, applicant=citizen.applicant, channel=Channel.WINDOW,
                                 idempotency_key=f"win-nofill-{len(schema)}")
    c = login(clerk)
    page = c.get(reverse("cases:staff_file_draft", args=[case.pk]))
    assert page.status_code == 200 and 'id="btn-registry-fill"' not in page.text
    page = c.post(reverse("cases:staff_file_draft", args=[case.pk]), {"op": "registry_fill"})
    assert page.status_code == 200
    assert "基础库中没有该申请人的信息" not in page.text
    assert "本事项没有可从基础库填写的项目" in page.text
    assert QueryCall.objects.count() == 0


def test_window_draft_not_in_registry_says_so(clerk, make_citizen, item):
    from zhengwu.cases.models import Channel
    from zhengwu.cases.services import applying

    nobody = make_citizen(name="无记录")
    case = applying.create_draft(clerk, item, applicant=nobody.applicant, channel=Channel.WINDOW,
                                 idempotency_key="win-notfound-1")
    page = login(clerk).post(reverse("cases:staff_file_draft", args=[case.pk]), {"op": "registry_fill"})
    assert "基础库中没有该申请人的信息" in page.text and QueryCall.objects.get().result == "not_found"


def test_online_nothing_to_fill_is_not_not_found(citizen, publish_item, dept):
    shop = publish_item(dept, "店招备案", form_schema=NO_REGISTRY_FIELD)
    r = login(citizen).post(reverse("cases:apply", args=[shop.pk]), {
        "idempotency_key": uuid.uuid4().hex, "action": "prefill", "registry_consent": "1", "f_shop_name": "小吃店"})
    assert "没有找到您的信息" not in r.text and "没有可从基础库填写的项目" in r.text
    assert QueryCall.objects.count() == 0
