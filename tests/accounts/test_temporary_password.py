"""A password someone else chose (窗口代录, an administrator's reset) must be changed at the first
login: every page redirects to 修改密码, every API call answers a JSON 403 naming the rule."""

import pytest
from django.test import Client

from zhengwu.accounts import services
from zhengwu.accounts.models import User
from zhengwu.core.audit import AuditEvent
from zhengwu.core.identifiers import make_id_number

pytestmark = pytest.mark.django_db

TEMP = "Zw@a1b2c345"
NEW = "Better#Pass2027"


def _window_person(temporary=True):
    return services.register_person(name="赵大爷", id_number=make_id_number("41010519851231888"),
                                    phone="13900001111", password=TEMP, password2=TEMP, temporary=temporary)


def _login(user, password=TEMP) -> Client:
    client = Client()
    resp = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert resp.status_code == 302
    return client


def test_first_login_with_a_temporary_password_must_change_it():
    user = _window_person()
    assert user.must_change_password
    client = _login(user)
    for path in ("/", "/cases/mine/", "/workbench/"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp["Location"] == "/accounts/password/?temporary=1", path
    page = client.get("/accounts/password/?temporary=1").content.decode()
    assert 'id="password-temporary"' in page and "临时密码" in page
    # The API refuses in JSON, in Chinese, naming the rule.
    resp = client.get("/api/v1/cases/mine")
    assert resp.status_code == 403 and resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert "临时密码" in body["detail"] and "首次登录须设置新密码" in body["detail"]
    assert body["code"] == "password_change_required"
    # Logging out stays possible.
    assert client.post("/accounts/logout/").status_code == 302


def test_new_password_must_differ_and_then_the_way_is_free():
    user = _window_person()
    client = _login(user)
    resp = client.post("/accounts/password/", {"old_password": TEMP, "new_password1": TEMP, "new_password2": TEMP})
    assert resp.status_code == 200 and "新密码不能与原密码（临时密码）相同" in resp.content.decode()
    assert User.objects.get(pk=user.pk).must_change_password
    resp = client.post("/accounts/password/", {"old_password": TEMP, "new_password1": NEW, "new_password2": NEW})
    assert resp.status_code == 302 and resp["Location"] == "/cases/mine/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(NEW)
    assert client.get("/cases/mine/").status_code == 200  # the session survived the change
    assert client.get("/api/v1/cases/mine").status_code != 403
    event = AuditEvent.objects.filter(action="accounts.password_change").get()
    assert event.after == {"was_temporary": True}


def test_self_registered_password_is_not_temporary():
    user = _window_person(temporary=False)
    assert not user.must_change_password
    assert _login(user).get("/cases/mine/").status_code == 200


def test_admin_reset_of_someone_elses_password_is_temporary(admin_client, admin_user):
    user = _window_person(temporary=False)
    url = f"/admin/accounts/user/{user.pk}/password/"
    resp = admin_client.post(url, {"password1": TEMP + "x", "password2": TEMP + "x", "usable_password": "true"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    user.refresh_from_db()
    assert user.must_change_password and user.check_password(TEMP + "x")
    assert AuditEvent.objects.filter(action="accounts.password_reset", object_id=str(user.pk)).exists()
    resp = _login(user, TEMP + "x").get("/cases/mine/")
    assert resp["Location"] == "/accounts/password/?temporary=1"
    # An administrator setting their own password there is not forced to change it again.
    admin_client.post(f"/admin/accounts/user/{admin_user.pk}/password/",
                      {"password1": NEW, "password2": NEW, "usable_password": "true"})
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW) and not admin_user.must_change_password
