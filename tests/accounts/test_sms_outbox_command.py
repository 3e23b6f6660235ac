"""`zhengwu sms-outbox`: a demo's way to read the code the local gateway left in the outbox; and the
demo admin's TOTP device (`zhengwu demo` only)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.helpers import last_sms_code
from zhengwu.accounts import phone as codes

pytestmark = pytest.mark.django_db


def test_sms_outbox_prints_masked_phone_and_message():
    codes.request_code("13803710001", "register")
    out = io.StringIO()
    call_command("sms_outbox", "--last", "5", stdout=out)
    text = out.getvalue()
    assert "138****0001" in text and "13803710001" not in text
    assert last_sms_code("13803710001") in text and "用于注册账号" in text


@override_settings(ZHENGWU_SMS_GATEWAY="acme")
def test_sms_outbox_refuses_with_a_real_gateway():
    with pytest.raises(CommandError, match="已配置短信网关"):
        call_command("sms_outbox", stdout=io.StringIO())


def test_demo_admin_gets_the_published_totp_secret():
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhengwu.accounts import demo
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    demo.load(io.StringIO())
    assert not TOTPDevice.objects.exists()  # the fixtures' load: no device
    demo.finish(io.StringIO())
    demo.finish(io.StringIO())  # idempotent
    device = TOTPDevice.objects.get(user__username="admin", confirmed=True)
    import base64

    assert device.bin_key == base64.b32decode(demo.DEMO_ADMIN_TOTP_BASE32)
    assert device.verify_token(f"{totp(device.bin_key):06d}")
