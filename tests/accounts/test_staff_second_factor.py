"""等保 for staff: the TOTP second factor (required of administrators, optional for other staff) and
one active session per staff account."""

import re

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhengwu.core.audit import AuditEvent

PASSWORD = "Test@2026pw"
pytestmark = pytest.mark.django_db


def token(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def log_in(username) -> Client:
    client = Client()
    resp = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert resp.status_code == 302, resp.content.decode()[:500]
    return client


@pytest.fixture
def sysadmin(make_staff):
    return make_staff("sysadmin", username="sysadmin1", is_staff=True)


# (django-otp also slows down guessing: after a wrong code the next try waits 1 s, 2 s, 4 s …; off here)
@override_settings(ZHENGWU_ADMIN_TOTP_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_admin_enrols_before_anything_else_then_logs_in_with_a_code(sysadmin):
    client = log_in("sysadmin1")
    resp = client.get("/workbench/")
    assert resp.status_code == 302 and resp.url.startswith("/accounts/otp/setup/")
    assert client.get("/admin/").url.startswith("/accounts/otp/setup/")
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403 and api.json()["code"] == "otp_required" and "动态口令" in api.json()["detail"]
    page = client.get(resp.url)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "绑定动态口令" in html
    device = TOTPDevice.objects.get(user=sysadmin, confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1)
    import base64

    assert base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8)) == device.bin_key
    bad = client.post("/accounts/otp/setup/", {"token": "000000" if token(device) != "000000" else "111111"})
    assert bad.status_code == 400 and "动态口令不正确" in bad.content.decode()
    resp = client.post("/accounts/otp/setup/", {"token": token(device), "next": "/workbench/"})
    assert resp.status_code == 302 and resp.url == "/workbench/"
    assert client.get("/workbench/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="accounts.otp_enrol").exists()

    # The next login: password, then the code.
    client = log_in("sysadmin1")
    resp = client.get("/workbench/")
    assert resp.status_code == 302 and resp.url.startswith("/accounts/otp/verify/")
    device.refresh_from_db()
    resp = client.post("/accounts/otp/verify/", {"token": token(device, drift=1)})
    assert resp.status_code == 302 and client.get("/workbench/").status_code == 200


@override_settings(ZHENGWU_ADMIN_TOTP_REQUIRED=True)
def test_superuser_is_an_administrator_too(make_staff):
    make_staff(username="root1", is_superuser=True, is_staff=True)
    assert log_in("root1").get("/admin/").url.startswith("/accounts/otp/setup/")


@override_settings(ZHENGWU_ADMIN_TOTP_REQUIRED=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_second_factor_is_optional_for_other_staff_and_asked_once_enrolled(make_staff):
    window = make_staff("window", username="window1")
    client = log_in("window1")
    assert client.get("/workbench/").status_code == 200
    assert "绑定动态口令" in client.get("/accounts/security/").content.decode()
    client.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=window)
    client.post("/accounts/otp/setup/", {"token": token(device)})
    assert TOTPDevice.objects.get(user=window).confirmed
    client = log_in("window1")
    assert client.get("/workbench/").url.startswith("/accounts/otp/verify/")
    # Not required of them: they may remove it after a verified login.
    device.refresh_from_db()
    client.post("/accounts/otp/verify/", {"token": token(device, drift=1)})
    client.post("/accounts/otp/remove/")
    assert not TOTPDevice.objects.filter(user=window).exists()


def test_requirement_off_lets_an_admin_in_by_password(sysadmin):
    assert log_in("sysadmin1").get("/workbench/").status_code == 200


def test_citizens_cannot_enrol(make_citizen):
    client = Client()
    client.force_login(make_citizen())
    assert client.get("/accounts/otp/setup/").status_code == 403


@override_settings(ZHENGWU_ADMIN_TOTP_REQUIRED=True)
def test_five_wrong_codes_lock_the_account_like_wrong_passwords(sysadmin):
    device = TOTPDevice.objects.create(user=sysadmin, name="动态口令", confirmed=True)
    right = token(device)
    wrong = "000000" if right != "000000" else "111111"
    client = log_in("sysadmin1")
    for _ in range(4):
        assert client.post("/accounts/otp/verify/", {"token": wrong}).status_code == 400
    resp = client.post("/accounts/otp/verify/", {"token": wrong})  # the fifth: django-axes' lockout page
    assert resp.status_code == 429 and "锁定" in resp.content.decode()
    assert client.get("/workbench/").status_code == 302  # logged out
    resp = Client().post("/accounts/login/", {"username": "sysadmin1", "password": PASSWORD})
    assert resp.status_code == 429 and "锁定" in resp.content.decode()
    assert AuditEvent.objects.filter(action="accounts.otp_failed").count() == 5


@override_settings(ZHENGWU_STAFF_SINGLE_SESSION=True)
def test_a_new_staff_login_ends_the_previous_session(make_staff):
    make_staff("window", username="window2")
    first = log_in("window2")
    assert first.get("/workbench/").status_code == 200
    second = log_in("window2")
    resp = first.get("/workbench/", follow=True)
    assert resp.redirect_chain[0][0] == "/accounts/login/"
    assert "您的账号已在其他地方登录" in resp.content.decode()
    assert first.get("/workbench/").status_code == 302  # stays logged out
    assert second.get("/workbench/").status_code == 200
    # and the API answers in JSON
    third = log_in("window2")
    resp = second.get("/api/v1/cases/")
    assert resp.status_code == 401 and "其他地方登录" in resp.json()["detail"]
    assert third.get("/workbench/").status_code == 200


@override_settings(ZHENGWU_STAFF_SINGLE_SESSION=True)
def test_password_change_keeps_the_one_session(make_staff):
    make_staff("window", username="window3")
    client = log_in("window3")
    resp = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "New#Pass2026x",
                                                "new_password2": "New#Pass2026x"})
    assert resp.status_code == 302
    assert client.get("/workbench/").status_code == 200


@override_settings(ZHENGWU_STAFF_SINGLE_SESSION=True)
def test_citizens_may_stay_logged_in_on_two_devices(make_citizen):
    from zhengwu.core.identifiers import make_id_number

    make_citizen(name="张两机", id_body="41010519900307123")
    number = make_id_number("41010519900307123")
    phone, pc = Client(), Client()
    for c in (phone, pc):
        assert c.post("/accounts/login/", {"username": number, "password": PASSWORD}).status_code == 302
    assert phone.get("/accounts/security/").status_code == 200


@override_settings(ZHENGWU_ADMIN_TOTP_REQUIRED=True)
def test_a_code_typed_again_at_once_after_a_wrong_one_is_told_to_wait(sysadmin):
    device = TOTPDevice.objects.create(user=sysadmin, name="动态口令", confirmed=True)
    right = token(device)
    client = log_in("sysadmin1")
    client.post("/accounts/otp/verify/", {"token": "000000" if right != "000000" else "111111"})
    resp = client.post("/accounts/otp/verify/", {"token": right})
    assert resp.status_code == 400 and "尝试过于频繁" in resp.content.decode()


@override_settings(ZHENGWU_STAFF_SINGLE_SESSION=True)
def test_a_new_login_is_not_thrown_out_by_a_process_that_saw_the_previous_one(make_staff):
    """Without a shared cache (several server processes, no REDIS_URL) another process may still
    hold the previous login's key: the newer login must keep working there, the older one end."""
    from django.core.cache import cache

    from zhengwu.accounts.middleware_security import _cache_key

    staff = make_staff("window", username="window5")
    first = log_in("window5")
    old_key = first.session.session_key
    second = log_in("window5")
    cache.set(_cache_key(staff.pk), old_key, 60)  # the other process's cache: the older login
    assert second.get("/workbench/").status_code == 200
    assert second.get("/api/v1/cases/").status_code != 401  # not "session_replaced" (405: the route is POST only)
    resp = first.get("/workbench/", follow=True)
    assert "您的账号已在其他地方登录" in resp.content.decode()
