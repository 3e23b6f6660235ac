"""The accounts pages name the field and the rule in every message (姓名：必填；姓名：不能超过 50
个字（现在 300 个）), never Django's generic wording, and inputs with a length limit carry
``maxlength``."""

import re

import pytest

from zhengwu.accounts import services
from zhengwu.core.identifiers import make_id_number, make_uscc

PW = "Good#Pass2026"
GENERIC = ("这个字段是必填项", "确保该变量", "字符数", "This field is required", "Ensure this value")


def _no_generic(body: str) -> None:
    for words in GENERIC:
        assert words not in body, words


def _input(body: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert match, name
    return match.group(0)


@pytest.fixture
def enterprise(db):
    return services.register_legal(name="示范餐饮有限公司", uscc=make_uscc("9", "1", "410105", "MA9XKT3Q"),
                                   legal_rep_name="刘企业", legal_rep_id_number=make_id_number("41010519850612234"),
                                   phone="13803710002", password=PW, password2=PW)


@pytest.mark.django_db
def test_too_long_name_at_registration_names_the_field_and_the_limit(client):
    body = client.get("/accounts/register/person/").content.decode()
    assert 'maxlength="50"' in _input(body, "name") and 'maxlength="18"' in _input(body, "id_number")
    resp = client.post("/accounts/register/person/", {
        "name": "张" * 300, "id_number": make_id_number("41010519900307123"), "phone": "13803710001",
        "password": PW, "password2": PW, "sms_code": "123456"})
    body = resp.content.decode()
    assert "姓名：不能超过 50 个字（现在 300 个）" in body
    _no_generic(body)


@pytest.mark.django_db
def test_empty_login_names_each_field(client):
    body = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert "账号：必填" in body and "密码：必填" in body
    _no_generic(body)
    assert 'maxlength="150"' in _input(body, "username")


@pytest.mark.django_db
def test_empty_phone_change_names_each_field(client, enterprise):
    client.force_login(enterprise)
    body = client.post("/accounts/security/", {"new_phone": "", "sms_code": ""}).content.decode()
    assert "新手机号码：必填" in body and "短信验证码：必填" in body
    _no_generic(body)
    assert 'maxlength="20"' in _input(body, "new_phone")


@pytest.mark.django_db
def test_agent_form_names_the_field_and_the_rule(client, enterprise):
    client.force_login(enterprise)
    body = client.get("/accounts/agents/").content.decode()
    assert 'maxlength="200"' in _input(body, "note") and 'maxlength="50"' in _input(body, "name")
    body = client.post("/accounts/agents/", {"name": "", "id_number": "", "note": ""}).content.decode()
    assert "经办人姓名：必填" in body and "经办人身份证号：必填" in body
    assert "授权范围不正确：请至少选择一项" in body  # the form's own message stays
    _no_generic(body)
    body = client.post("/accounts/agents/", {"name": "李经办", "id_number": make_id_number("41010519900307123"),
                                             "scope": ["apply"], "note": "备" * 360}).content.decode()
    assert "备注：不能超过 200 个字（现在 360 个）" in body
    _no_generic(body)


@pytest.mark.django_db
def test_empty_password_change_names_each_field(client, enterprise):
    client.force_login(enterprise)
    body = client.post("/accounts/password/", {}).content.decode()
    assert body.count("：必填") == 3
    _no_generic(body)
