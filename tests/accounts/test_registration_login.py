"""Citizens and enterprises register and log in; staff log in; 等保 password and lockout rules."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.helpers import sms_code
from zhengwu.accounts import services
from zhengwu.accounts.models import Applicant, User
from zhengwu.core.identifiers import make_id_number, make_uscc

PW = "Good#Pass2026"
ID = make_id_number("41010519900307123")


def person_form(**kw):
    data = {"name": "张小民", "id_number": ID, "phone": "13803710001", "password": PW, "password2": PW}
    data.update(kw)
    return data


@pytest.mark.django_db
def test_citizen_registers_and_logs_in_with_id_number(client):
    resp = client.post("/accounts/register/person/", {**person_form(), "sms_code": sms_code(client, "13803710001")})
    assert resp.status_code == 302
    applicant = Applicant.objects.get()
    assert applicant.kind == "person" and applicant.name == "张小民"
    client.logout()
    resp = client.post("/accounts/login/", {"username": ID.lower(), "password": PW})
    assert resp.status_code == 302 and resp.url == "/"
    assert client.get("/").context["user"].pk == applicant.user_id


@pytest.mark.django_db
def test_enterprise_registers_and_logs_in_with_credit_code(client):
    uscc = make_uscc("9", "1", "410105", "MA9XKT3Q")
    resp = client.post("/accounts/register/legal/", {
        "name": "示范餐饮有限公司", "uscc": uscc, "legal_rep_name": "刘企业",
        "legal_rep_id_number": make_id_number("41010519850612234"), "phone": "13803710002",
        "password": PW, "password2": PW, "sms_code": sms_code(client, "13803710002"),
    })
    assert resp.status_code == 302
    client.logout()
    assert client.post("/accounts/login/", {"username": uscc, "password": PW}).status_code == 302
    applicant = Applicant.objects.get(uscc=uscc)
    assert applicant.kind == "legal" and str(applicant.legal_rep_id_number).startswith("4101****")


@pytest.mark.django_db
@pytest.mark.parametrize("field, value, message", [
    ("id_number", "410105199003071230", "身份证号不正确"),
    ("phone", "1380371", "手机号码不正确"),
    ("name", "张", "姓名不正确"),
    ("password", "short1A", "密码"),
    ("password", "alllowercase", "至少3类"),
])
def test_bad_registration_names_the_field_and_saves_nothing(client, field, value, message):
    data = {**person_form(**{field: value}), "sms_code": "123456"}
    if field == "password":
        data["password2"] = value
    resp = client.post("/accounts/register/person/", data)
    assert resp.status_code == 200
    assert message in resp.content.decode()
    assert not User.objects.exists() and not Applicant.objects.exists()


@pytest.mark.django_db
def test_duplicate_registration_is_refused():
    services.register_person(**person_form())
    with pytest.raises(ValidationError, match="已注册"):
        services.register_person(**person_form(name="冒名者"))
    assert Applicant.objects.count() == 1


@pytest.mark.django_db
def test_password_mismatch():
    with pytest.raises(ValidationError) as exc:
        services.register_person(**person_form(password2="Other#Pass2026"))
    assert exc.value.message_dict["password2"] == ["两次输入的密码不一致"]


@pytest.mark.django_db
def test_lockout_after_five_failures(client):
    services.register_person(**person_form())
    for _ in range(5):
        resp = client.post("/accounts/login/", {"username": ID, "password": "wrong"})
    resp = client.post("/accounts/login/", {"username": ID, "password": PW})
    assert resp.status_code == 429
    assert "锁定" in resp.content.decode()
    # django-axes stores the derived username, never the clear ID number.
    from axes.models import AccessAttempt

    assert not AccessAttempt.objects.filter(username__contains=ID).exists()
    assert AccessAttempt.objects.filter(username__startswith="p-").exists()


@pytest.mark.django_db
def test_staff_logs_in_to_workbench(client, make_staff):
    staff = make_staff(role="window", username="chuangkou")
    resp = client.post("/accounts/login/", {"username": "chuangkou", "password": "Test@2026pw"})
    assert resp.status_code == 302 and resp.url == "/workbench/"
    page = client.get("/workbench/")
    assert page.status_code == 200 and "窗口人员" in page.content.decode()
    assert staff.pk == page.context["user"].pk


@pytest.mark.django_db
def test_workbench_refuses_applicants_and_anonymous(client, make_citizen):
    assert client.get("/workbench/").status_code == 302
    user = make_citizen()
    client.force_login(user)
    assert client.get("/workbench/").status_code == 403


@pytest.mark.django_db
def test_expired_staff_password_must_be_changed(client, make_staff):
    staff = make_staff(role="window")
    User.objects.filter(pk=staff.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=91))
    client.force_login(staff)
    resp = client.get("/workbench/")
    assert resp.status_code == 302 and "/accounts/password/" in resp.url
    resp = client.post("/accounts/password/", {"old_password": "Test@2026pw", "new_password1": "New#Pass2026x",
                                                 "new_password2": "New#Pass2026x"})
    assert resp.status_code == 302
    assert client.get("/workbench/").status_code == 200


@pytest.mark.django_db
def test_large_font_choice_persists(client):
    resp = client.post("/accounts/font/", {"next": "/accounts/login/"})
    assert resp.status_code == 302 and resp.url == "/accounts/login/"
    assert resp.cookies["zw_font"].value == "large"
    page = client.get("/accounts/login/")
    assert 'class="zw-large"' in page.content.decode()
    client.post("/accounts/font/", {"next": "https://evil.example/"})
    assert 'class="zw-large"' not in client.get("/").content.decode()


@pytest.mark.django_db
def test_registration_writes_audit_without_clear_id():
    from zhengwu.core.models import AuditEvent

    services.register_person(**person_form())
    event = AuditEvent.objects.get(action="accounts.register_person")
    assert ID not in str(event.after) and "**" in event.after["id_number"]


def test_idle_timeout_slides_without_saving_every_request(client, settings, make_staff):
    from django.contrib.sessions.models import Session

    staff = make_staff()
    client.force_login(staff)
    client.get("/workbench/")  # the first request after login stamps the session
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    client.get("/workbench/")  # within the refresh interval: nothing written
    assert Session.objects.get(session_key=key).expire_date == first
    settings.ZHENGWU_SESSION_REFRESH_SECONDS = 0
    import time

    time.sleep(1.1)
    client.get("/workbench/")
    assert Session.objects.get(session_key=key).expire_date > first


@pytest.mark.django_db
def test_an_empty_registration_names_every_missing_field_the_code_too(client):
    empty = dict.fromkeys(("name", "id_number", "password", "password2", "phone", "sms_code"), "")
    html = client.post("/accounts/register/person/", empty).content.decode()
    for label in ("姓名", "身份证号", "密码", "确认密码", "手机号码"):
        assert f"{label}：必填" in html
    assert "短信验证码：必填" in html and "这个字段是必填项" not in html
    assert not User.objects.exists()
