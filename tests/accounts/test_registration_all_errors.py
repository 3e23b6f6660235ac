"""Registration names every wrong field in one round (docs/identity-phone.md): the password's
strength and the repeated password together with a wrong 身份证号, phone, code — and with the
errors the form itself finds (an empty or too long field)."""

import pytest

from tests.helpers import sms_code
from zhengwu.accounts import services
from zhengwu.accounts.models import Applicant, User
from zhengwu.core.identifiers import make_id_number, make_uscc

PW = "Good#Pass2026"
ID = make_id_number("41010519900307123")
BAD_ID = ID[:-1] + ("0" if ID[-1] != "0" else "1")  # a wrong check digit


def _page(client, url, **data):
    resp = client.post(url, data)
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.mark.django_db
def test_person_registration_shows_password_errors_with_every_other_error(client):
    body = _page(client, "/accounts/register/person/", name="张小民", id_number=BAD_ID, phone="1380371",
                 password="abc", password2="abd", sms_code="123456")
    assert "身份证号不正确" in body and "手机号码不正确" in body and "验证码无效" in body
    assert "两次输入的密码不一致" in body
    assert "密码太简单" in body and "密码太短：至少 8 位（现在 3 位）" in body
    assert "This password" not in body  # Django's rule has no Chinese translation
    assert not User.objects.exists() and not Applicant.objects.exists()


@pytest.mark.django_db
def test_form_errors_and_service_errors_in_one_round(client):
    code = sms_code(client, "13803710001")
    body = _page(client, "/accounts/register/person/", name="", id_number=BAD_ID, phone="13803710001",
                 password="abc", password2="abd", sms_code=f"{(int(code) + 1) % 10**6:06d}")
    assert "姓名：必填" in body and "身份证号不正确" in body
    assert "两次输入的密码不一致" in body and "密码太简单" in body
    assert "验证码不正确" in body
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_id_already_registered_is_named_with_the_password_errors(client):
    services.register_person(name="张小民", id_number=ID, phone="13803710001", password=PW, password2=PW)
    body = _page(client, "/accounts/register/person/", name="冒名者", id_number=ID, phone="13803710002",
                 password="abc", password2="abc", sms_code=sms_code(client, "13803710002"))
    assert "该身份证号已注册" in body and "密码太简单" in body


@pytest.mark.django_db
def test_legal_registration_shows_password_errors_with_every_other_error(client):
    body = _page(client, "/accounts/register/legal/", name="示范餐饮有限公司",
                 uscc=make_uscc("9", "1", "410105", "MA9XKT3Q")[:-1] + "0", legal_rep_name="刘企业",
                 legal_rep_id_number=BAD_ID, phone="13803710002", password="abc", password2="abd",
                 sms_code="123456")
    assert "统一社会信用代码" in body and "法定代表人身份证号" in body
    assert "两次输入的密码不一致" in body and "密码太简单" in body
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_all_at_once():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.register_person(name="张", id_number=BAD_ID, phone="1", password="abc", password2="abd")
    assert set(exc.value.message_dict) == {"name", "id_number", "phone", "password", "password2"}
