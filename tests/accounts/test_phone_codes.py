"""短信验证码: the rules of a code (6 digits, 5 minutes, single use, 5 tries, rate limits),
registration refused without a valid code, and the phone change of 账户与安全."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from tests.helpers import last_sms_code, sms_code
from zhengwu.accounts import phone as codes
from zhengwu.accounts import services
from zhengwu.accounts.models import Applicant, PhoneCode, User
from zhengwu.cases.models import SmsMessage
from zhengwu.core.audit import AuditEvent
from zhengwu.core.identifiers import make_id_number

PW = "Good#Pass2026"
PHONE = "13803710001"
ID = make_id_number("41010519900307123")


def message(exc: pytest.ExceptionInfo) -> str:
    return " ".join(m for ms in exc.value.message_dict.values() for m in ms)


@pytest.mark.django_db
def test_code_is_six_digits_sent_by_sms_and_stored_only_hashed():
    obj = codes.request_code(PHONE, "register", ip="10.0.0.1")
    code = last_sms_code(PHONE)
    assert re.fullmatch(r"\d{6}", code)
    assert code not in obj.code_hash and PHONE not in PhoneCode.objects.get().phone.token()
    assert obj.expires_at - obj.created_at == dt.timedelta(minutes=5)
    assert codes.check_code(PHONE, "register", code).pk == obj.pk
    event = AuditEvent.objects.get(action="accounts.sms_code_sent")
    assert code not in str(event.after) and PHONE not in str(event.after) and "138****0001" in str(event.after)
    assert SmsMessage.objects.get().gateway == "outbox"


@pytest.mark.django_db
def test_code_expires_after_five_minutes():
    start = timezone.now()
    codes.request_code(PHONE, "register", now=start)
    code = last_sms_code(PHONE)
    assert codes.check_code(PHONE, "register", code, now=start + dt.timedelta(minutes=4, seconds=59))
    with pytest.raises(ValidationError) as exc:
        codes.check_code(PHONE, "register", code, now=start + dt.timedelta(minutes=5, seconds=1))
    assert "验证码已过期" in message(exc)


@pytest.mark.django_db
def test_code_is_single_use():
    codes.request_code(PHONE, "register")
    obj = codes.check_code(PHONE, "register", last_sms_code(PHONE))
    codes.use(obj)
    with pytest.raises(ValidationError) as exc:
        codes.check_code(PHONE, "register", last_sms_code(PHONE))
    assert "验证码已使用" in message(exc)
    with pytest.raises(ValidationError):
        codes.use(obj)


@pytest.mark.django_db
def test_five_wrong_tries_end_the_code():
    codes.request_code(PHONE, "register")
    good = last_sms_code(PHONE)
    wrong = f"{(int(good) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as exc:
            codes.check_code(PHONE, "register", wrong)
        assert f"还可尝试{left}次" in message(exc)
    with pytest.raises(ValidationError) as exc:
        codes.check_code(PHONE, "register", wrong)
    assert "已失效" in message(exc)
    with pytest.raises(ValidationError) as exc:  # even the right code now
        codes.check_code(PHONE, "register", good)
    assert "错误次数过多" in message(exc)
    assert PhoneCode.objects.get().attempts == 5


@pytest.mark.django_db
def test_malformed_code_and_unknown_phone():
    with pytest.raises(ValidationError) as exc:
        codes.check_code(PHONE, "register", "12ab")
    assert "应为6位数字" in message(exc)
    with pytest.raises(ValidationError) as exc:
        codes.check_code(PHONE, "register", "123456")
    assert "请先获取验证码" in message(exc)
    with pytest.raises(ValidationError) as exc:
        codes.request_code("1380371", "register")
    assert "手机号码不正确" in message(exc) and not PhoneCode.objects.exists()


@pytest.mark.django_db
def test_one_code_per_phone_per_minute_and_ten_a_day():
    start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
    codes.request_code(PHONE, "register", now=start)
    with pytest.raises(ValidationError) as exc:
        codes.request_code(PHONE, "register", now=start + dt.timedelta(seconds=30))
    assert "60秒内只能获取一次" in message(exc) and "30秒后再试" in message(exc)
    for i in range(1, 10):
        codes.request_code(PHONE, "register", now=start + dt.timedelta(minutes=i))
    with pytest.raises(ValidationError) as exc:
        codes.request_code(PHONE, "register", now=start + dt.timedelta(minutes=20))
    assert "每天最多10次" in message(exc)
    assert PhoneCode.objects.count() == 10 == SmsMessage.objects.count()
    codes.request_code(PHONE, "register", now=start + dt.timedelta(days=1))  # a new day


@pytest.mark.django_db
@override_settings(ZHENGWU_SMS_CODES_PER_IP_HOUR=3)
def test_codes_per_client_address_per_hour():
    now = timezone.now()
    for i in range(3):
        codes.request_code(f"1380371000{i}", "register", ip="10.0.0.9", now=now)
    with pytest.raises(ValidationError) as exc:
        codes.request_code("13803710009", "register", ip="10.0.0.9", now=now)
    assert "同一网络地址每小时最多3次" in message(exc)
    codes.request_code("13803710009", "register", ip="10.0.0.10", now=now)  # another address
    codes.request_code("13803710008", "register", ip="10.0.0.9", now=now + dt.timedelta(hours=1, seconds=1))


@pytest.mark.django_db
def test_only_the_latest_code_counts():
    start = timezone.now() - dt.timedelta(minutes=2)
    codes.request_code(PHONE, "register", now=start)
    first = last_sms_code(PHONE)
    codes.request_code(PHONE, "register")
    second = last_sms_code(PHONE)
    if first != second:
        with pytest.raises(ValidationError):
            codes.check_code(PHONE, "register", first)
    assert codes.check_code(PHONE, "register", second)


def register_data(**kw):
    return {"name": "张小民", "id_number": ID, "phone": PHONE, "password": PW, "password2": PW, **kw}


@pytest.mark.django_db
def test_registration_refused_without_a_valid_code(client):
    resp = client.post("/accounts/register/person/", register_data(sms_code=""))
    assert resp.status_code == 200 and "短信验证码" in resp.content.decode()
    resp = client.post("/accounts/register/person/", register_data(sms_code="123456"))
    assert resp.status_code == 200 and "请先获取验证码" in resp.content.decode()
    sms_code(client, "13803710002")  # a code sent to another phone proves nothing for this one
    resp = client.post("/accounts/register/person/", register_data(sms_code=last_sms_code("13803710002")))
    assert resp.status_code == 200 and "验证码无效" in resp.content.decode()
    assert not User.objects.exists() and not Applicant.objects.exists()


@pytest.mark.django_db
def test_registration_with_code_logs_in_and_the_code_cannot_serve_twice(client):
    code = sms_code(client, PHONE)
    resp = client.post("/accounts/register/person/", register_data(sms_code=code))
    assert resp.status_code == 302
    assert PhoneCode.objects.get().used_at is not None
    client.logout()
    resp = client.post("/accounts/register/person/", register_data(id_number=make_id_number("41010519850612234"),
                                                                    sms_code=code))
    assert "验证码已使用" in resp.content.decode() and User.objects.count() == 1


@pytest.mark.django_db
def test_a_wrong_field_keeps_the_code_for_the_corrected_form(client):
    code = sms_code(client, PHONE)
    resp = client.post("/accounts/register/person/", register_data(password2="Other#Pass2026", sms_code=code))
    assert "两次输入的密码不一致" in resp.content.decode()
    assert PhoneCode.objects.get().used_at is None
    assert client.post("/accounts/register/person/", register_data(sms_code=code)).status_code == 302


@pytest.mark.django_db
def test_get_code_without_javascript_posts_the_form(client):
    resp = client.post("/accounts/register/person/", register_data(action="send_code", sms_code=""))
    body = resp.content.decode()
    assert resp.status_code == 200 and "验证码已发送至138****0001" in body
    assert f'value="{PHONE}"' in body and PW not in body  # what was typed comes back, passwords not
    assert not User.objects.exists()
    code = last_sms_code(PHONE)
    assert client.post("/accounts/register/person/", register_data(sms_code=code)).status_code == 302


@pytest.mark.django_db
def test_code_endpoint_answers_json_in_chinese(client):
    resp = client.post("/accounts/sms-code/", {"purpose": "register", "phone": "123"})
    assert resp.status_code == 400 and "手机号码不正确" in resp.json()["detail"]
    assert client.post("/accounts/sms-code/", {"purpose": "register", "phone": PHONE}).status_code == 200
    resp = client.post("/accounts/sms-code/", {"purpose": "register", "phone": PHONE})
    assert resp.status_code == 429 and "60秒内只能获取一次" in resp.json()["detail"]
    assert client.get("/accounts/sms-code/").status_code == 405


@pytest.mark.django_db
def test_citizen_changes_phone_with_a_code_sent_to_the_new_phone(client):
    user = services.register_person(**register_data())
    client.force_login(user)
    new = "13903710009"
    page = client.get("/accounts/security/").content.decode()
    assert "138****0001" in page and "更换手机号" in page
    resp = client.post("/accounts/security/", {"new_phone": PHONE, "action": "send_code"})
    assert "新手机号与当前手机号相同" in resp.content.decode()
    code = sms_code(client, new, purpose="change_phone")
    resp = client.post("/accounts/security/", {"new_phone": new, "sms_code": f"{(int(code) + 1) % 10**6:06d}"})
    assert "验证码不正确" in resp.content.decode()
    resp = client.post("/accounts/security/", {"new_phone": new, "sms_code": code})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.phone.reveal_unaudited() == new and user.applicant.phone.reveal_unaudited() == new
    event = AuditEvent.objects.get(action="accounts.phone_change")
    assert new not in str(event.after) and PHONE not in str(event.before) and code not in str(event.after)
    assert "139****0009" in str(event.after)


@pytest.mark.django_db
def test_a_code_asked_by_someone_else_does_not_change_my_phone(client):
    me = services.register_person(**register_data())
    other = services.register_person(**register_data(id_number=make_id_number("41010519850612234"),
                                                     phone="13803710002"))
    client.force_login(other)
    code = sms_code(client, "13903710009", purpose="change_phone")
    client.force_login(me)
    resp = client.post("/accounts/security/", {"new_phone": "13903710009", "sms_code": code})
    assert "验证码无效" in resp.content.decode()
    me.refresh_from_db()
    assert me.phone.reveal_unaudited() == PHONE


@pytest.mark.django_db
def test_change_phone_code_needs_login(client):
    resp = client.post("/accounts/sms-code/", {"purpose": "change_phone", "phone": "13903710009"})
    assert resp.status_code == 400 and "请先登录" in resp.json()["detail"]
