"""Login lockout (等保: 登录失败处理) is by account *and* address: a stranger cannot lock staff out."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import override_settings

from zhengwu.accounts import services
from zhengwu.core.identifiers import make_id_number

PW = "Test@2026pw"
A, B = "203.0.113.7", "198.51.100.20"


def fail_five_times(client, username, addr, **extra):
    for _ in range(5):
        client.post("/accounts/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=addr, **extra)


@pytest.mark.django_db
def test_failures_from_one_address_lock_that_address_only(client, make_staff):
    make_staff(role="window", username="admin2")
    fail_five_times(client, "admin2", A)
    locked = client.post("/accounts/login/", {"username": "admin2", "password": PW}, REMOTE_ADDR=A)
    assert locked.status_code == 429
    # From another address the right password still works: the attacker did not lock admin2 out.
    ok = client.post("/accounts/login/", {"username": "admin2", "password": PW}, REMOTE_ADDR=B)
    assert ok.status_code == 302 and ok.url == "/workbench/"


@pytest.mark.django_db
def test_locked_page_says_how_long_and_how_to_unlock(client, make_staff):
    make_staff(role="window", username="chuangkou9")
    fail_five_times(client, "chuangkou9", A)
    page = client.post("/accounts/login/", {"username": "chuangkou9", "password": PW}, REMOTE_ADDR=A)
    text = page.content.decode()
    assert page.status_code == 429
    assert "锁定 <strong id=\"locked-minutes\">30</strong> 分钟" in text
    assert "系统管理员" in text and "登录失败记录" in text and "zhengwu unlock_login" in text


@pytest.mark.django_db
def test_unlock_login_command_takes_what_the_person_types(client):
    id_number = make_id_number("41010519900307123")
    services.register_person(name="张小民", id_number=id_number, phone="13803710001", password=PW, password2=PW)
    fail_five_times(client, id_number, A)
    assert client.post("/accounts/login/", {"username": id_number, "password": PW}, REMOTE_ADDR=A).status_code == 429
    call_command("unlock_login", id_number)
    assert not AccessAttempt.objects.exists()
    assert client.post("/accounts/login/", {"username": id_number, "password": PW}, REMOTE_ADDR=A).status_code == 302


@pytest.mark.django_db
@override_settings(ZHENGWU_TRUST_X_FORWARDED_FOR=True)
def test_behind_a_proxy_a_made_up_forwarded_address_does_not_reset_the_count(client, make_staff):
    """The proxy appends the real address last; what the client put before it is not trusted."""
    make_staff(role="window", username="daili")
    for n in range(5):
        client.post("/accounts/login/", {"username": "daili", "password": "wrong"}, REMOTE_ADDR="10.0.0.2",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {A}")
    locked = client.post("/accounts/login/", {"username": "daili", "password": PW}, REMOTE_ADDR="10.0.0.2",
                         HTTP_X_FORWARDED_FOR=f"192.0.2.99, {A}")
    assert locked.status_code == 429
    ok = client.post("/accounts/login/", {"username": "daili", "password": PW}, REMOTE_ADDR="10.0.0.2",
                     HTTP_X_FORWARDED_FOR=B)
    assert ok.status_code == 302
