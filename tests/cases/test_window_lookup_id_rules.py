"""窗口代录: a mistyped 身份证号 is refused naming the rule it breaks, before any lookup.

A wrong check character used to read as 未找到该申请人 (申请人尚未注册) (about 1 mistyped number in 30 is also a
valid 统一社会信用代码, and was looked up as an enterprise), and the other mistakes got one
message for every rule."""

import pytest
from django.urls import reverse
from stdnum.cn import uscc

from zhengwu.core.identifiers import make_id_number

pytestmark = pytest.mark.django_db

FILE = "cases:staff_file"
GOOD = make_id_number("41010519851231881")  # 410105198512318814
BAD_CHECK_BUT_USCC_VALID = GOOD[:17] + "0"


def lookup(client, number):
    return client.post(reverse(FILE), {"op": "lookup", "number": number})


def test_the_mistyped_number_chosen_is_valid_as_an_enterprise_code():
    assert uscc.is_valid(BAD_CHECK_BUT_USCC_VALID) and BAD_CHECK_BUT_USCC_VALID != GOOD


@pytest.mark.parametrize("number, rule", [
    (BAD_CHECK_BUT_USCC_VALID, "身份证号校验位（第18位）不正确"),
    (GOOD[:17] + ("1" if GOOD[17] != "1" else "2"), "身份证号校验位（第18位）不正确"),
    ("410105198513318814", "身份证号出生日期（第7–14位）不存在"),   # month 13
    ("990105198512318814", "身份证号地区码（前6位）不存在"),
])
def test_bad_id_number_names_the_rule_on_the_field(staff_client, window_staff, number, rule):
    page = lookup(staff_client(window_staff), number)
    assert page.status_code == 200
    form = page.context["lookup"]
    assert any(rule in msg for msg in form.errors["number"]), form.errors
    assert rule in page.text
    assert "申请人尚未注册" not in page.text and not page.context.get("not_found")
    assert 'id="btn-register"' not in page.text


def test_valid_but_unknown_number_is_still_not_found(staff_client, window_staff):
    page = lookup(staff_client(window_staff), GOOD)
    assert "申请人尚未注册" in page.text and 'id="btn-register"' in page.text


def test_a_real_enterprise_code_is_still_looked_up_as_an_enterprise(staff_client, window_staff):
    from zhengwu.core.identifiers import make_uscc

    page = lookup(staff_client(window_staff), make_uscc("9", "1", "410105", "MA9XKT4P"))
    assert page.context["kind"] == "legal" and "申请人尚未注册" in page.text
