"""An address that acts only on a form's POST, opened in the browser (typed, bookmarked): a
Chinese page, never an empty 405 (the browser's English “HTTP ERROR 405”). /accounts/logout/
offers the 退出登录 button, /accounts/acting/ goes to 账户与安全 where the switch is; under /api/
the answer stays JSON."""

import pytest

from zhengwu.accounts import services
from zhengwu.core.identifiers import make_id_number

PW = "Good#Pass2026"


@pytest.fixture
def citizen(db):
    return services.register_person(name="张小民", id_number=make_id_number("41010519900307123"),
                                    phone="13803710001", password=PW, password2=PW)


def test_get_logout_offers_the_button_and_does_not_log_out(client, citizen):
    client.force_login(citizen)
    r = client.get("/accounts/logout/")
    body = r.content.decode()
    assert r.status_code == 200 and r["Content-Type"].startswith("text/html")
    assert 'id="logout-confirm"' in body and 'method="post"' in body and "csrfmiddlewaretoken" in body
    assert "退出登录" in body
    assert client.get("/accounts/security/").status_code == 200  # still logged in
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/accounts/security/").status_code == 302  # now logged out


def test_get_logout_when_not_logged_in(client, db):
    r = client.get("/accounts/logout/")
    body = r.content.decode()
    assert r.status_code == 200 and "您当前未登录" in body and 'href="/accounts/login/"' in body
    assert 'id="logout-confirm"' not in body


def test_get_acting_goes_to_the_page_that_offers_it(client, citizen):
    client.force_login(citizen)
    r = client.get("/accounts/acting/")
    assert r.status_code == 302 and r.url == "/accounts/security/"
    r = client.get("/accounts/agents/1/revoke/")
    assert r.status_code == 302 and r.url == "/accounts/agents/"


def test_any_other_post_only_page_answers_a_chinese_page(client, citizen):
    client.force_login(citizen)
    r = client.get("/accounts/otp/remove/")
    body = r.content.decode()
    assert r.status_code == 405 and r["Content-Type"].startswith("text/html") and r["Allow"] == "POST"
    assert "不能直接打开" in body and 'href="/"' in body
    r = client.get("/accounts/font/")  # no login needed
    assert r.status_code == 405 and "不能直接打开" in r.content.decode()


def test_api_keeps_json(client, db):
    r = client.delete("/api/v1/health")
    assert r.status_code == 405 and r["Content-Type"].startswith("application/json")
    assert r.json()["detail"].startswith("不支持 DELETE 请求")
