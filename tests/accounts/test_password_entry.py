"""Citizens and enterprises find 修改密码 on 账户与安全, and the login page says how a forgotten
password is reset (at a window or by the help line; no SMS reset)."""

import pytest

from zhengwu.accounts import services
from zhengwu.core.identifiers import make_id_number

PW = "Good#Pass2026"


@pytest.mark.django_db
def test_security_page_links_to_the_password_change(client):
    user = services.register_person(name="张小民", id_number=make_id_number("41010519900307123"),
                                    phone="13803710001", password=PW, password2=PW)
    client.force_login(user)
    body = client.get("/accounts/security/").content.decode()
    assert 'id="sec-password"' in body and 'href="/accounts/password/"' in body and "修改密码" in body


@pytest.mark.django_db
def test_an_account_without_password_is_told_where_to_set_one(client):
    user = services.register_person(name="张小民", id_number=make_id_number("41010519900307123"),
                                    phone="13803710001", password=PW, password2=PW)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    body = client.get("/accounts/security/").content.decode()
    assert 'id="sec-password"' in body and 'href="/accounts/password/"' not in body
    assert "未设置密码" in body


def test_login_page_says_how_to_reset_a_forgotten_password(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert 'id="forgot-password"' in body and "忘记密码" in body and "窗口" in body
